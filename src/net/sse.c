/* The text/event-stream parser and writer (WHATWG EventSource rules). The
 * parser copies a line only when it spans chunks; complete lines inside a
 * chunk are read in place. Buffers grow geometrically (util/buf) and are
 * bounded by the limits, so outside input can neither allocate per byte nor
 * grow memory without bound. It must not do I/O or decode text. */
#include "config.h"

#include "net/sse.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };

struct sse_parser {
	size_t max_line;
	size_t max_event;
	sse_event_fn fn;
	void *arg;

	enum sse_status status;
	char error[96];

	size_t bom_seen;    /* BOM bytes matched at the start of the stream */
	bool bom_done;      /* past the point where a BOM may be */
	bool after_cr;      /* the last byte was a CR: a next LF belongs to it */
	bool in_event;      /* field lines since the last blank line */
	bool id_changed;    /* id differs from last_id */
	struct buf line;    /* a line spanning chunks */
	struct buf data;    /* data lines, each followed by '\n' */
	struct buf type;    /* the event field */
	struct buf id;      /* the last event id buffer */
	struct buf last_id; /* the id as of the last blank line */
	long long retry;
};

struct sse_parser *sse_parser_new(size_t max_line, size_t max_event, sse_event_fn fn, void *arg)
{
	struct sse_parser *p = xcalloc(1, sizeof *p);

	p->max_line = max_line != 0 ? max_line : SSE_MAX_LINE;
	p->max_event = max_event != 0 ? max_event : SSE_MAX_EVENT;
	p->fn = fn;
	p->arg = arg;
	p->retry = -1;
	return p;
}

void sse_parser_free(struct sse_parser **pp)
{
	struct sse_parser *p;

	if (pp == NULL || *pp == NULL)
		return;
	p = *pp;
	buf_free(&p->line);
	buf_free(&p->data);
	buf_free(&p->type);
	buf_free(&p->id);
	buf_free(&p->last_id);
	free(p);
	*pp = NULL;
}

void sse_parser_reset(struct sse_parser *p)
{
	p->status = SSE_OK;
	p->error[0] = '\0';
	p->bom_seen = 0;
	p->bom_done = false;
	p->after_cr = false;
	p->in_event = false;
	p->id_changed = false;
	buf_reset(&p->line);
	buf_reset(&p->data);
	buf_reset(&p->type);
	buf_reset(&p->id);
	buf_reset(&p->last_id);
	p->retry = -1;
}

const char *sse_status_str(enum sse_status status)
{
	switch (status) {
	case SSE_OK:
		return "ok";
	case SSE_LINE_TOO_LONG:
		return "event stream line too long";
	case SSE_EVENT_TOO_BIG:
		return "event stream event too big";
	case SSE_REFUSED:
		return "event stream parser stopped after an error";
	}
	return "unknown event stream status";
}

static enum sse_status fail(struct sse_parser *p, enum sse_status status, size_t limit)
{
	p->status = status;
	snprintf(p->error, sizeof p->error, "%s (limit %zu bytes)", sse_status_str(status), limit);
	return status;
}

static bool field_is(const char *name, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(name, want, n) == 0;
}

static void buf_set(struct buf *b, const char *s, size_t n)
{
	buf_reset(b);
	buf_append(b, s, n);
}

static void dispatch(struct sse_parser *p)
{
	struct sse_event ev;

	p->in_event = false;
	if (p->id_changed) {
		buf_set(&p->last_id, buf_str(&p->id), p->id.len);
		p->id_changed = false;
	}
	if (p->data.len == 0) {
		buf_reset(&p->type);
		return;
	}
	/* Drop the '\n' after the last data line. */
	p->data.data[--p->data.len] = '\0';
	ev.type = p->type.len != 0 ? p->type.data : "message";
	ev.data = p->data.data;
	ev.len = p->data.len;
	ev.id = buf_str(&p->last_id);
	if (p->fn != NULL)
		p->fn(&ev, p->arg);
	buf_reset(&p->data);
	buf_reset(&p->type);
}

static void set_retry(struct sse_parser *p, const char *v, size_t n)
{
	long long ms = 0;

	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return;
	for (size_t i = 0; i < n; i++) {
		int d = v[i] - '0';

		if (ms > (LLONG_MAX - d) / 10) {
			ms = LLONG_MAX;
			break;
		}
		ms = ms * 10 + d;
	}
	p->retry = ms;
}

/* One line without its line end. */
static enum sse_status process_line(struct sse_parser *p, const char *s, size_t n)
{
	const char *colon, *value;
	size_t name_len, value_len;

	if (n == 0) {
		dispatch(p);
		return SSE_OK;
	}
	if (s[0] == ':')
		return SSE_OK;
	p->in_event = true;
	colon = memchr(s, ':', n);
	if (colon != NULL) {
		name_len = (size_t)(colon - s);
		value = colon + 1;
		value_len = n - name_len - 1;
		if (value_len > 0 && value[0] == ' ') {
			value++;
			value_len--;
		}
	} else {
		name_len = n;
		value = "";
		value_len = 0;
	}
	if (field_is(s, name_len, "data")) {
		/* The joined data is the buffer without its final '\n'. */
		if (p->data.len + value_len > p->max_event)
			return fail(p, SSE_EVENT_TOO_BIG, p->max_event);
		buf_append(&p->data, value, value_len);
		buf_putc(&p->data, '\n');
	} else if (field_is(s, name_len, "event")) {
		buf_set(&p->type, value, value_len);
	} else if (field_is(s, name_len, "id")) {
		if (memchr(value, '\0', value_len) == NULL) {
			buf_set(&p->id, value, value_len);
			p->id_changed = true;
		}
	} else if (field_is(s, name_len, "retry")) {
		set_retry(p, value, value_len);
	}
	return SSE_OK;
}

static enum sse_status feed_lines(struct sse_parser *p, const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		const char *t = s;
		size_t n;
		enum sse_status st;

		if (p->after_cr) {
			p->after_cr = false;
			if (*s == '\n') {
				s++;
				continue;
			}
		}
		while (t < end && *t != '\n' && *t != '\r')
			t++;
		n = (size_t)(t - s);
		if (n > p->max_line - p->line.len)
			return fail(p, SSE_LINE_TOO_LONG, p->max_line);
		if (t == end) {
			buf_append(&p->line, s, n);
			break;
		}
		if (p->line.len == 0) {
			st = process_line(p, s, n);
		} else {
			buf_append(&p->line, s, n);
			st = process_line(p, p->line.data, p->line.len);
			buf_reset(&p->line);
		}
		if (st != SSE_OK)
			return st;
		p->after_cr = *t == '\r';
		s = t + 1;
	}
	return SSE_OK;
}

enum sse_status sse_parser_feed(struct sse_parser *p, const void *bytes, size_t len)
{
	const unsigned char *s = bytes;

	if (p->status != SSE_OK)
		return SSE_REFUSED;
	if (len == 0)
		return SSE_OK;
	/* One BOM at the very start is skipped, even when it arrives split. */
	while (!p->bom_done && len > 0) {
		if (*s != bom[p->bom_seen]) {
			enum sse_status st;

			p->bom_done = true;
			st = feed_lines(p, (const char *)bom, p->bom_seen);
			if (st != SSE_OK)
				return st;
			break;
		}
		s++;
		len--;
		if (++p->bom_seen == sizeof bom)
			p->bom_done = true;
	}
	return feed_lines(p, (const char *)s, len);
}

const char *sse_parser_error(const struct sse_parser *p)
{
	return p->status != SSE_OK ? p->error : NULL;
}

bool sse_parser_pending(const struct sse_parser *p)
{
	return p->line.len != 0 || p->in_event || (!p->bom_done && p->bom_seen != 0);
}

const char *sse_parser_last_id(const struct sse_parser *p)
{
	return buf_str(&p->last_id);
}

long long sse_parser_retry(const struct sse_parser *p)
{
	return p->retry;
}

/* Appends "<prefix> <line>\n" for each line of s (split on CRLF, CR and LF,
 * as the parser splits), or "<prefix>\n" for an empty one; always one at least. */
static void write_lines(struct buf *out, const char *prefix, const char *s, size_t len)
{
	size_t start = 0;

	for (size_t i = 0;; i++) {
		if (i < len && s[i] != '\n' && s[i] != '\r')
			continue;
		buf_puts(out, prefix);
		if (i > start) {
			buf_putc(out, ' ');
			buf_append(out, s + start, i - start);
		}
		buf_putc(out, '\n');
		if (i == len)
			break;
		if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
			i++;
		start = i + 1;
	}
}

int sse_write_event(struct buf *out, const char *type, const char *data, size_t len)
{
	if (type != NULL && type[strcspn(type, "\r\n")] != '\0')
		return -1;
	if (type != NULL && type[0] != '\0')
		buf_printf(out, "event: %s\n", type);
	write_lines(out, "data:", data != NULL ? data : "", data != NULL ? len : 0);
	buf_putc(out, '\n');
	return 0;
}

void sse_write_comment(struct buf *out, const char *text)
{
	if (text == NULL || text[0] == '\0') {
		buf_puts(out, ":\n");
		return;
	}
	write_lines(out, ":", text, strlen(text));
}
