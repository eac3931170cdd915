/* Text tables. */
#include "config.h"

#include "cli/table.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

struct table {
	size_t n_cols;
	char **headers;
	bool *right;
	char ***rows; /* NULL row = a rule */
	size_t n_rows;
};

struct table *table_new(size_t n_cols, const char *const *headers)
{
	struct table *t = xcalloc(1, sizeof *t);

	t->n_cols = n_cols;
	t->headers = xcalloc(n_cols, sizeof *t->headers);
	t->right = xcalloc(n_cols, sizeof *t->right);
	for (size_t c = 0; c < n_cols; c++)
		t->headers[c] = xstrdup(headers[c]);
	return t;
}

void table_free(struct table **tp)
{
	struct table *t = *tp;

	if (t == NULL)
		return;
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t c = 0; t->rows[r] != NULL && c < t->n_cols; c++)
			free(t->rows[r][c]);
		free(t->rows[r]);
	}
	for (size_t c = 0; c < t->n_cols; c++)
		free(t->headers[c]);
	free(t->headers);
	free(t->right);
	free(t->rows);
	free(t);
	*tp = NULL;
}

void table_align_right(struct table *t, size_t col)
{
	t->right[col] = true;
}

void table_add_row(struct table *t, const char *const *cells)
{
	char **row = xcalloc(t->n_cols, sizeof *row);

	for (size_t c = 0; c < t->n_cols; c++)
		row[c] = xstrdup(cells[c] != NULL ? cells[c] : "");
	t->rows = xreallocarray(t->rows, t->n_rows + 1, sizeof *t->rows);
	t->rows[t->n_rows++] = row;
}

void table_add_rule(struct table *t)
{
	t->rows = xreallocarray(t->rows, t->n_rows + 1, sizeof *t->rows);
	t->rows[t->n_rows++] = NULL;
}

size_t text_width(const char *s)
{
	return utf8_width(s);
}

/* Appends s cut to at most width cells, with an ellipsis if it was cut. */
static size_t put_cut(struct buf *out, const char *s, size_t width, bool utf8)
{
	const char *ell = utf8 ? "\xe2\x80\xa6" : "...";
	size_t ell_w = utf8 ? 1 : 3, used = 0;

	if (text_width(s) <= width) {
		buf_puts(out, s);
		return text_width(s);
	}
	while (*s != '\0') {
		int w;
		size_t n = utf8_next(s, strlen(s), &w);

		if (used + (size_t)w + ell_w > width)
			break;
		buf_append(out, s, n);
		used += (size_t)w;
		s += n;
	}
	buf_puts(out, ell);
	return used + ell_w;
}

void table_print(const struct table *t, FILE *out, size_t width, size_t shrink, bool utf8)
{
	size_t *w = xcalloc(t->n_cols, sizeof *w), total = 0;
	struct buf line = BUF_INIT;

	for (size_t c = 0; c < t->n_cols; c++) {
		w[c] = text_width(t->headers[c]);
		for (size_t r = 0; r < t->n_rows; r++)
			if (t->rows[r] != NULL && text_width(t->rows[r][c]) > w[c])
				w[c] = text_width(t->rows[r][c]);
		total += w[c] + (c > 0 ? 2 : 0);
	}
	if (width > 0 && total > width && shrink < t->n_cols) {
		size_t cut = total - width;

		w[shrink] = w[shrink] > cut + 8 ? w[shrink] - cut : 8;
		total = 0;
		for (size_t c = 0; c < t->n_cols; c++)
			total += w[c] + (c > 0 ? 2 : 0);
	}
	for (size_t r = 0; r <= t->n_rows; r++) {
		char **row = r == 0 ? t->headers : t->rows[r - 1];

		buf_reset(&line);
		if (row == NULL) {
			for (size_t i = 0; i < total; i++)
				buf_puts(&line, utf8 ? "\xe2\x94\x80" : "-");
		}
		for (size_t c = 0; row != NULL && c < t->n_cols; c++) {
			struct buf cell = BUF_INIT;
			size_t cw = put_cut(&cell, row[c], w[c], utf8);

			if (c > 0)
				buf_puts(&line, "  ");
			if (t->right[c])
				for (size_t i = cw; i < w[c]; i++)
					buf_putc(&line, ' ');
			buf_puts(&line, buf_str(&cell));
			if (!t->right[c] && c + 1 < t->n_cols)
				for (size_t i = cw; i < w[c]; i++)
					buf_putc(&line, ' ');
			buf_free(&cell);
		}
		while (line.len > 0 && line.data[line.len - 1] == ' ')
			line.data[--line.len] = '\0';
		fprintf(out, "%s\n", buf_str(&line));
	}
	buf_free(&line);
	free(w);
}
