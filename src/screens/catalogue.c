/* The catalogue screen, the explorer's first: every collection in a table
 * that fits the width, filtered live by the search line, sorted by any
 * column, with a selection for access requests. Everything a keystroke
 * needs is made once at enter (each item's display strings, their widths
 * and its lower-cased search text), so a keystroke costs one pass of
 * strstr over the items still in play plus the visible rows. It reads
 * the §5 items and never changes them. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/catalogue.h"
#include "screens/app.h"
#include "screens/cells.h"
#include "screens/pager.h"
#include "screens/screen.h"
#include "ui/keys.h"
#include "util/buf.h"
#include "util/sanitize.h"
#include "util/utf8.h"
#include "util/xmalloc.h"
#include "util/format.h"

enum column {
	COL_NAME,
	COL_PROVIDER,
	COL_SUBJECTS,
	COL_STUDIES,
	COL_MODALITIES,
	COL_BODY,
	COL_ACCESS,
	COL_COUNT
};

/* How a column gives way on a narrow terminal: columns are dropped from
 * the highest `drop` down until the preferred widths fit, then spare
 * cells go where `weight` says, up to each column's widest value. */
static const struct column_info {
	const char *header;
	const char *sort_name; /* for the footer */
	int pref;              /* cells it asks for; 0: its widest value */
	int weight;
	int drop; /* 0: never dropped */
	bool right;
	bool descending; /* the first direction when sorting by it */
} columns[COL_COUNT] = {
	[COL_NAME] = { "NAME", "name", 24, 3, 0, false, false },
	[COL_PROVIDER] = { "PROVIDER", "provider", 20, 1, 5, false, false },
	[COL_SUBJECTS] = { "SUBJECTS", "subjects", 0, 0, 1, true, true },
	[COL_STUDIES] = { "STUDIES", "studies", 0, 0, 2, true, true },
	[COL_MODALITIES] = { "MODALITIES", "modalities", 12, 2, 4, false, false },
	[COL_BODY] = { "BODY PARTS", "body parts", 12, 1, 6, false, false },
	[COL_ACCESS] = { "ACCESS", "access", 0, 0, 3, false, false },
};

#define MARK_WIDTH  2 /* the selection mark and a blank */
#define COLUMN_GAP  2
#define MAX_NATURAL 60 /* no text column asks for more */
#define WHEEL_LINES 3
#define NO_ROW      SIZE_MAX

struct row {
	const char *id;         /* borrowed from the item; "" if it has none */
	size_t text[COL_COUNT]; /* offsets in pool: what the cells show, sanitised */
	int width[COL_COUNT];
	size_t hay; /* offset in pool: the searchable text, lower-cased */
	int64_t subjects, studies;
};

struct catalogue_state {
	struct row *rows;
	size_t n_rows;
	struct buf pool; /* every row's strings, NUL-separated */
	size_t *order;   /* all rows in sort order */
	size_t *shown;   /* rows matching the filter, in sort order */
	size_t n_shown;
	size_t *scratch;    /* merge sort */
	char *filter;       /* lower-cased; "" shows everything */
	char *filter_shown; /* as typed, for messages */
	int natural[COL_COUNT];
	enum column sort;
	bool descending;
	size_t cursor, top; /* positions in shown */
	int page_rows;      /* body rows at the last draw */
	/* The layout of the last draw, for the mouse. */
	int header_y, body_y;
	bool on[COL_COUNT];
	int col_x[COL_COUNT], col_w[COL_COUNT];
	/* "Only collections matching the cohort": the ids with a subject in
	 * the sites' answers, and which answers that set was made from. */
	bool matching_only;
	json_t *matching;
	unsigned long matching_version;
	size_t matching_answered;
};

static const char *pool_str(const struct catalogue_state *s, size_t off)
{
	return s->pool.data + off;
}

static size_t pool_add(struct catalogue_state *s, const char *text, size_t n)
{
	size_t off = s->pool.len;

	buf_append(&s->pool, text, n);
	buf_putc(&s->pool, '\0');
	return off;
}

static size_t pool_add_clean(struct catalogue_state *s, const char *text)
{
	size_t off = s->pool.len;

	sanitize_append(&s->pool, text, strlen(text), 0);
	buf_putc(&s->pool, '\0');
	return off;
}

/* ASCII only, as catalogue_item_matches compares: other bytes stay. */
static void lower_ascii(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			p[i] = (char)(p[i] - 'A' + 'a');
}

/* A string-array member's strings, joined with sep (as catalogue_item_join
 * does, without its copy), sanitised if clean. */
static void pool_append_list(struct catalogue_state *s, json_t *item, const char *name,
                             const char *sep, bool clean)
{
	json_t *arr = json_object_get(item, name), *v;
	bool first = true;
	size_t i;

	json_array_foreach (arr, i, v) {
		if (!json_is_string(v))
			continue;
		if (!first)
			buf_puts(&s->pool, sep);
		first = false;
		if (clean)
			sanitize_append(&s->pool, json_string_value(v),
			                strlen(json_string_value(v)), 0);
		else
			buf_puts(&s->pool, json_string_value(v));
	}
}

/* The text catalogue_item_matches searches, built the same way so both
 * give the same answers, lower-cased once here instead of per key. */
static size_t pool_add_hay(struct catalogue_state *s, json_t *item)
{
	static const char *scalars[] = { "id", "name", "acronym", "description" };
	static const char *lists[] = { "condition", "body_part_examined", "imaging_modality" };
	size_t off = s->pool.len;

	for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
		buf_puts(&s->pool, catalogue_item_str(item, scalars[i]));
		buf_putc(&s->pool, '\n');
	}
	buf_puts(&s->pool, catalogue_item_str2(item, "provider", "name"));
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		buf_putc(&s->pool, '\n');
		pool_append_list(s, item, lists[i], "\n", false);
	}
	lower_ascii(s->pool.data + off, s->pool.len - off);
	buf_putc(&s->pool, '\0');
	return off;
}

static size_t pool_add_list(struct catalogue_state *s, json_t *item, const char *name)
{
	size_t off = s->pool.len;

	pool_append_list(s, item, name, ", ", true);
	buf_putc(&s->pool, '\0');
	return off;
}

/* Display width; most catalogue text is ASCII, which needs no decoding. */
static int text_width(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	while (*p != '\0' && *p < 0x80)
		p++;
	return *p == '\0' ? (int)(p - (const unsigned char *)text) : (int)utf8_width(text);
}

static void make_row(struct catalogue_state *s, struct row *r, json_t *item)
{
	char num[32];

	r->id = catalogue_item_str(item, "id");
	r->subjects = catalogue_item_count(item, "number_of_subjects");
	r->studies = catalogue_item_count(item, "number_of_studies");
	r->text[COL_NAME] = pool_add_clean(s, catalogue_item_str(item, "name"));
	r->text[COL_PROVIDER] = pool_add_clean(s, catalogue_item_str2(item, "provider", "name"));
	format_count(r->subjects, num, sizeof num);
	r->text[COL_SUBJECTS] = pool_add(s, num, strlen(num));
	format_count(r->studies, num, sizeof num);
	r->text[COL_STUDIES] = pool_add(s, num, strlen(num));
	r->text[COL_MODALITIES] = pool_add_list(s, item, "imaging_modality");
	r->text[COL_BODY] = pool_add_list(s, item, "body_part_examined");
	r->text[COL_ACCESS] = pool_add_clean(s, catalogue_item_str(item, "image_access_type"));
	r->hay = pool_add_hay(s, item);
}

/* Sorting: a merge sort (stable, and with the state at hand, which qsort
 * lacks). */
static int compare_rows(const struct catalogue_state *s, size_t a, size_t b)
{
	const struct row *x = &s->rows[a], *y = &s->rows[b];
	int d = 0;

	switch (s->sort) {
	case COL_SUBJECTS:
		d = (x->subjects > y->subjects) - (x->subjects < y->subjects);
		break;
	case COL_STUDIES:
		d = (x->studies > y->studies) - (x->studies < y->studies);
		break;
	default:
		d = strcasecmp(pool_str(s, x->text[s->sort]), pool_str(s, y->text[s->sort]));
		break;
	}
	if (s->descending)
		d = -d;
	if (d == 0 && s->sort != COL_NAME)
		d = strcasecmp(pool_str(s, x->text[COL_NAME]), pool_str(s, y->text[COL_NAME]));
	if (d == 0)
		d = strcmp(x->id, y->id);
	return d;
}

static void merge_sort(const struct catalogue_state *s, size_t *v, size_t *tmp, size_t n)
{
	size_t half = n / 2, i = 0, j = half, k = 0;

	if (n < 2)
		return;
	merge_sort(s, v, tmp, half);
	merge_sort(s, v + half, tmp, n - half);
	while (i < half && j < n)
		tmp[k++] = compare_rows(s, v[j], v[i]) < 0 ? v[j++] : v[i++];
	while (i < half)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof *v);
}

/* The row under the cursor, or NO_ROW when nothing is shown. */
static size_t cursor_row(const struct catalogue_state *s)
{
	return s->cursor < s->n_shown ? s->shown[s->cursor] : NO_ROW;
}

static void clamp_cursor(struct catalogue_state *s)
{
	size_t page = s->page_rows > 0 ? (size_t)s->page_rows : 1;

	if (s->n_shown == 0) {
		s->cursor = s->top = 0;
		return;
	}
	if (s->cursor >= s->n_shown)
		s->cursor = s->n_shown - 1;
	if (s->top > s->cursor)
		s->top = s->cursor;
	if (s->cursor >= s->top + page)
		s->top = s->cursor - page + 1;
	if (s->n_shown > page && s->top > s->n_shown - page)
		s->top = s->n_shown - page;
	else if (s->n_shown <= page)
		s->top = 0;
}

/* Puts the cursor back on row (if it is shown), at the same place on the
 * screen when it can be. */
static void restore_cursor(struct catalogue_state *s, size_t row, size_t screen_offset)
{
	s->cursor = 0;
	for (size_t i = 0; row != NO_ROW && i < s->n_shown; i++) {
		if (s->shown[i] == row) {
			s->cursor = i;
			break;
		}
	}
	s->top = s->cursor > screen_offset ? s->cursor - screen_offset : 0;
	clamp_cursor(s);
}

/* True if every word of the lower-cased, NUL-separated words (n of them)
 * occurs in hay. */
static bool hay_matches(const char *hay, const char *words, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strstr(hay, words) == NULL)
			return false;
		words += strlen(words) + 1;
	}
	return true;
}

/* Shows the rows matching text. When text only adds to the filter in
 * place, the new matches are a subset of the old ones (each old word is
 * still there, or grown), so only those are searched again. */
static void apply_filter(struct catalogue_state *s, const char *text, bool full)
{
	size_t len = strlen(text), n_words = 0, n = 0, n_from;
	size_t row = cursor_row(s), offset = s->cursor - s->top;
	char *lower = xmalloc(len + 2), *words = xmalloc(len + 2), *w = words;
	const size_t *from;

	memcpy(lower, text, len + 1);
	lower_ascii(lower, len);
	for (const char *p = lower; *p != '\0';) {
		size_t wl;

		p += strspn(p, " ");
		wl = strcspn(p, " ");
		if (wl == 0)
			break;
		memcpy(w, p, wl);
		w[wl] = '\0';
		w += wl + 1;
		n_words++;
		p += wl;
	}
	if (!full && strncmp(lower, s->filter, strlen(s->filter)) == 0) {
		from = s->shown;
		n_from = s->n_shown;
	} else {
		from = s->order;
		n_from = s->n_rows;
	}
	for (size_t i = 0; i < n_from; i++) {
		const struct row *r = &s->rows[from[i]];

		if (s->matching_only && json_object_get(s->matching, r->id) == NULL)
			continue;
		if (n_words == 0 || hay_matches(pool_str(s, r->hay), words, n_words))
			s->shown[n++] = from[i];
	}
	s->n_shown = n;
	free(words);
	free(s->filter);
	s->filter = lower;
	free(s->filter_shown);
	s->filter_shown = xstrdup(text);
	restore_cursor(s, row, offset);
}

/* Rebuilds the set of matching collections when new answers came in. */
static void refresh_matching(struct app *app, struct catalogue_state *s)
{
	const struct counts *counts = app->counts;
	size_t answered = 0;
	char *text;

	for (size_t i = 0; i < counts->n_sites; i++)
		answered += counts->sites[i].state == COUNTS_ANSWERED;
	if (!s->matching_only ||
	    (s->matching_version == counts->version && s->matching_answered == answered))
		return;
	json_decref(s->matching);
	s->matching = json_object();
	for (size_t i = 0; i < counts->n_sites; i++) {
		const struct site_answer *a = &counts->sites[i].answer;

		if (counts->sites[i].state != COUNTS_ANSWERED)
			continue;
		for (size_t k = 0; k < a->n_collections; k++)
			if (a->collections[k].subjects > 0)
				json_object_set_new(s->matching, a->collections[k].id, json_true());
	}
	s->matching_version = counts->version;
	s->matching_answered = answered;
	text = xstrdup(s->filter_shown);
	apply_filter(s, text, true);
	free(text);
}

static void sort_rows(struct catalogue_state *s, enum column col, bool descending)
{
	char *text = xstrdup(s->filter_shown);

	s->sort = col;
	s->descending = descending;
	merge_sort(s, s->order, s->scratch, s->n_rows);
	apply_filter(s, text, true);
	free(text);
}

static void catalogue_enter(struct app *app, void *state, const void *arg)
{
	struct catalogue_state *s = state;
	json_t *items = app->catalogue;
	size_t n = json_array_size(items);

	s->n_rows = n;
	s->rows = xcalloc(n > 0 ? n : 1, sizeof *s->rows);
	s->order = xcalloc(n > 0 ? n : 1, sizeof *s->order);
	s->shown = xcalloc(n > 0 ? n : 1, sizeof *s->shown);
	s->scratch = xcalloc(n > 0 ? n : 1, sizeof *s->scratch);
	s->filter = xstrdup("");
	s->filter_shown = xstrdup("");
	s->page_rows = 10;
	for (size_t i = 0; i < n; i++) {
		make_row(s, &s->rows[i], json_array_get(items, i));
		s->order[i] = i;
	}
	/* Widths only once the pool stops moving. */
	for (int c = 0; c < COL_COUNT; c++)
		s->natural[c] = (int)utf8_width(columns[c].header) + 1; /* + the sort mark */
	for (size_t i = 0; i < n; i++) {
		struct row *r = &s->rows[i];

		for (int c = 0; c < COL_COUNT; c++) {
			r->width[c] = text_width(pool_str(s, r->text[c]));
			if (r->width[c] > s->natural[c])
				s->natural[c] = r->width[c];
		}
	}
	for (int c = 0; c < COL_COUNT; c++)
		if (s->natural[c] > MAX_NATURAL)
			s->natural[c] = MAX_NATURAL;
	sort_rows(s, COL_NAME, false);
}

static void catalogue_leave(struct app *app, void *state)
{
	struct catalogue_state *s = state;

	free(s->rows);
	free(s->order);
	free(s->shown);
	free(s->scratch);
	free(s->filter);
	free(s->filter_shown);
	json_decref(s->matching);
	buf_free(&s->pool);
}

static int preferred(const struct catalogue_state *s, int c)
{
	int pref = columns[c].pref;

	return pref > 0 && pref < s->natural[c] ? pref : s->natural[c];
}

/* Decides which columns show and how wide, for cols cells. */
static void layout(struct catalogue_state *s, int cols)
{
	int need, x;

	for (int c = 0; c < COL_COUNT; c++) {
		s->on[c] = true;
		s->col_w[c] = preferred(s, c);
	}
	for (;;) {
		int n_on = 0, worst = -1;

		need = MARK_WIDTH;
		for (int c = 0; c < COL_COUNT; c++) {
			if (!s->on[c])
				continue;
			need += s->col_w[c] + (n_on++ > 0 ? COLUMN_GAP : 0);
			if (columns[c].drop > 0 &&
			    (worst < 0 || columns[c].drop > columns[worst].drop))
				worst = c;
		}
		if (need <= cols || worst < 0)
			break;
		s->on[worst] = false;
	}
	if (need > cols) { /* only the name is left: it takes what there is */
		s->col_w[COL_NAME] -= need - cols;
		if (s->col_w[COL_NAME] < 1)
			s->col_w[COL_NAME] = 1;
	}
	for (int spare = cols - need; spare > 0; spare--) {
		int best = -1, best_want = 0;

		for (int c = 0; c < COL_COUNT; c++) {
			int want = (s->natural[c] - s->col_w[c]) * columns[c].weight;

			if (s->on[c] && want > best_want) {
				best = c;
				best_want = want;
			}
		}
		if (best < 0)
			break;
		s->col_w[best]++;
	}
	x = MARK_WIDTH;
	for (int c = 0; c < COL_COUNT; c++) {
		if (!s->on[c])
			continue;
		s->col_x[c] = x;
		x += s->col_w[c] + COLUMN_GAP;
	}
}

static const char *sort_mark(const struct catalogue_state *s, const struct ui_canvas *c)
{
	if (c->utf8)
		return s->descending ? "\xe2\x96\xbc" : "\xe2\x96\xb2";
	return s->descending ? "v" : "^";
}

static void draw_header(struct catalogue_state *s, struct ui_canvas *c, int y)
{
	ui_put_fill(c, y, 0, c->cols, UI_STYLE_HEADER, "");
	for (int col = 0; col < COL_COUNT; col++) {
		char text[64];

		if (!s->on[col])
			continue;
		snprintf(text, sizeof text, "%s%s", columns[col].header,
		         col == (int)s->sort ? sort_mark(s, c) : "");
		cells_put_cut(c, y, s->col_x[col], s->col_w[col], UI_STYLE_HEADER, text,
		              (int)utf8_width(text), columns[col].right);
	}
}

static void draw_row(struct app *app, struct catalogue_state *s, struct ui_canvas *c, int y,
                     size_t pos)
{
	const struct row *r = &s->rows[s->shown[pos]];
	bool marked = app_is_selected(app, r->id);
	enum ui_style style = pos == s->cursor ? UI_STYLE_CURSOR
	                      : marked         ? UI_STYLE_MARKED
	                                       : UI_STYLE_NORMAL;

	ui_put_fill(c, y, 0, c->cols, style, "");
	if (marked)
		ui_put(c, y, 0, 1, style, c->utf8 ? "\xe2\x80\xa2" : "*");
	for (int col = 0; col < COL_COUNT; col++)
		if (s->on[col])
			cells_put_cut(c, y, s->col_x[col], s->col_w[col], style,
			              pool_str(s, r->text[col]), r->width[col], columns[col].right);
}

/* The line under the table. On a narrow screen the sort, then the
 * filter, then the word "collections" give way; the count and the
 * synthetic-data notice stay. */
static void draw_footer(struct app *app, struct catalogue_state *s, struct ui_canvas *c, int y)
{
	struct buf b = BUF_INIT;
	size_t n_selected = json_object_size(app->selected);

	for (int detail = 3; detail >= 0; detail--) {
		buf_reset(&b);
		buf_printf(&b, "%zu of %zu%s", s->n_shown, s->n_rows,
		           detail > 0 ? " collections" : "");
		if (detail > 1 && *s->filter_shown != '\0')
			buf_printf(&b, " matching '%s'", s->filter_shown);
		if (s->matching_only)
			buf_puts(&b, counts_done(app->counts) ? " in the cohort"
			                                      : " in the cohort (counting)");
		if (app->fed->synthetic)
			buf_puts(&b, " (synthetic demo data)");
		if (detail > 2)
			buf_printf(&b, ", sorted by %s %s", columns[s->sort].sort_name,
			           sort_mark(s, c));
		if (n_selected > 0)
			buf_printf(&b, ", %zu selected", n_selected);
		if ((int)utf8_width(buf_str(&b)) <= c->cols)
			break;
	}
	ui_put_fill(c, y, 0, c->cols, UI_STYLE_MUTED, buf_str(&b));
	buf_free(&b);
}

static void catalogue_draw(struct app *app, void *state, struct ui_canvas *c,
                           struct screen_area area)
{
	struct catalogue_state *s = state;
	bool header = area.rows >= 2, footer = area.rows >= 3;
	int body = area.rows - header - footer;

	refresh_matching(app, s);
	layout(s, area.cols);
	s->header_y = header ? area.top : -1;
	s->body_y = area.top + header;
	s->page_rows = body > 0 ? body : 1;
	clamp_cursor(s);
	if (header)
		draw_header(s, c, area.top);
	if (s->n_shown == 0 && body > 0) {
		char *msg = s->n_rows == 0
		                ? xstrdup("The catalogue is empty")
		                : xasprintf("No collection matches '%s'", s->filter_shown);

		ui_put(c, s->body_y, MARK_WIDTH, area.cols - MARK_WIDTH, UI_STYLE_WARNING, msg);
		free(msg);
	}
	for (int i = 0; i < body && s->top + (size_t)i < s->n_shown; i++)
		draw_row(app, s, c, s->body_y + i, s->top + (size_t)i);
	if (footer)
		draw_footer(app, s, c, area.top + area.rows - 1);
}

static void move_cursor(struct catalogue_state *s, long delta)
{
	if (delta < 0)
		s->cursor = (size_t)-delta > s->cursor ? 0 : s->cursor - (size_t)-delta;
	else
		s->cursor += (size_t)delta;
	clamp_cursor(s);
}

/* Scrolls the view by delta rows. With drag the cursor moves as far,
 * else it moves only when it would leave the view. */
static void scroll_view(struct catalogue_state *s, long delta, bool drag)
{
	size_t page = (size_t)s->page_rows, max = s->n_shown > page ? s->n_shown - page : 0;

	if (delta < 0)
		s->top = (size_t)-delta > s->top ? 0 : s->top - (size_t)-delta;
	else
		s->top = s->top + (size_t)delta > max ? max : s->top + (size_t)delta;
	if (drag) {
		if (delta < 0)
			s->cursor = (size_t)-delta > s->cursor ? 0 : s->cursor - (size_t)-delta;
		else
			s->cursor += (size_t)delta;
	}
	if (s->cursor < s->top)
		s->cursor = s->top;
	if (s->cursor >= s->top + page)
		s->cursor = s->top + page - 1;
	clamp_cursor(s);
}

static void sort_by(struct catalogue_state *s, enum column col)
{
	sort_rows(s, col, columns[col].descending);
}

static struct screen_result catalogue_action(struct app *app, void *state, enum ui_action a)
{
	struct catalogue_state *s = state;
	size_t row = cursor_row(s);

	switch (a) {
	case UI_ACTION_MOVE_UP:
		move_cursor(s, -1);
		break;
	case UI_ACTION_MOVE_DOWN:
		move_cursor(s, 1);
		break;
	case UI_ACTION_PAGE_UP:
		scroll_view(s, -(long)s->page_rows, true);
		break;
	case UI_ACTION_PAGE_DOWN:
		scroll_view(s, s->page_rows, true);
		break;
	case UI_ACTION_FIRST:
		s->cursor = 0;
		clamp_cursor(s);
		break;
	case UI_ACTION_LAST:
		s->cursor = s->n_shown > 0 ? s->n_shown - 1 : 0;
		clamp_cursor(s);
		break;
	case UI_ACTION_MATCHING:
		if (!s->matching_only && app->cohort->query->n_groups == 0) {
			app_status(
			    app, false,
			    "The cohort is everyone: build one first (b builder, : as text)");
			break;
		}
		s->matching_only = !s->matching_only;
		s->matching_version = (unsigned long)-1;
		if (s->matching_only && app->counts->version != app->cohort->version)
			app_cohort_changed(app);
		if (!s->matching_only) {
			char *text = xstrdup(s->filter_shown);

			apply_filter(s, text, true);
			free(text);
		} else {
			refresh_matching(app, s);
		}
		break;
	case UI_ACTION_SELECT:
		if (row == NO_ROW)
			break;
		if (*s->rows[row].id == '\0')
			app_status(app, true, "This collection has no id: it cannot be requested");
		else
			app_toggle_selected(app, s->rows[row].id);
		move_cursor(s, 1);
		break;
	case UI_ACTION_OPEN:
		if (row == NO_ROW)
			break;
		return screen_push(&collection_screen, s->rows[row].id);
	case UI_ACTION_PREVIEW:
		if (row == NO_ROW)
			break;
		return screen_push(&preview_screen, s->rows[row].id);
	case UI_ACTION_SORT:
		sort_by(s, (enum column)((s->sort + 1) % COL_COUNT));
		break;
	case UI_ACTION_SORT_REVERSE:
		sort_rows(s, s->sort, !s->descending);
		break;
	case UI_ACTION_BACK:
		/* A kept filter goes first; without one, back leaves ecii. */
		if (*s->filter_shown == '\0')
			return screen_unhandled();
		ui_line_clear(&app->line);
		apply_filter(s, "", true);
		break;
	default:
		return screen_unhandled();
	}
	return screen_handled();
}

static void click_header(struct catalogue_state *s, int x)
{
	for (int col = 0; col < COL_COUNT; col++) {
		if (!s->on[col] || x < s->col_x[col] ||
		    x >= s->col_x[col] + s->col_w[col] + COLUMN_GAP)
			continue;
		if (col == (int)s->sort)
			sort_rows(s, s->sort, !s->descending);
		else
			sort_by(s, (enum column)col);
		return;
	}
}

static struct screen_result catalogue_key(struct app *app, void *state, int key)
{
	struct catalogue_state *s = state;

	switch (key) {
	case UI_KEY_WHEEL_UP:
		scroll_view(s, -WHEEL_LINES, false);
		return screen_handled();
	case UI_KEY_WHEEL_DOWN:
		scroll_view(s, WHEEL_LINES, false);
		return screen_handled();
	case UI_KEY_MOUSE_CLICK:
		if (app->mouse_y == s->header_y) {
			click_header(s, app->mouse_x);
		} else if (app->mouse_y >= s->body_y && app->mouse_y < s->body_y + s->page_rows) {
			size_t pos = s->top + (size_t)(app->mouse_y - s->body_y);

			if (pos < s->n_shown)
				s->cursor = pos;
		}
		return screen_handled();
	default:
		return screen_unhandled();
	}
}

static void catalogue_search(struct app *app, void *state, const char *text)
{
	apply_filter(state, text, false);
}

static const char *catalogue_hint(struct app *app, void *state)
{
	return "Enter open  Space select  / search  s sort  m in cohort";
}

const struct screen_ops catalogue_screen = {
	.name = "catalogue",
	.title = "Catalogue",
	.state_size = sizeof(struct catalogue_state),
	.enter = catalogue_enter,
	.leave = catalogue_leave,
	.draw = catalogue_draw,
	.action = catalogue_action,
	.key = catalogue_key,
	.search = catalogue_search,
	.hint = catalogue_hint,
};
