/* Fuzz target: the event-stream parser (net/sse.h), which reads whatever a
 * hub sends. The input is parsed whole, split in two at a position taken
 * from its first byte, byte by byte (when short), and whole again by the
 * first parser after a reset: all must give the same events, status and end
 * state, or the target aborts. Every dispatched event must come back
 * unchanged through the writer and a fresh parser. Small limits make the
 * error paths reachable. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "net/sse.h"
#include "util/buf.h"

#define MAX_LINE  512
#define MAX_EVENT 2048

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

/* What one parse gave: every event as type NUL id NUL length data. */
struct run {
	struct buf trace;
	int events;
	enum sse_status status;
	bool pending;
	long long retry;
	struct buf last_id;
};

static void record(const struct sse_event *ev, void *arg)
{
	struct run *r = arg;

	if (ev->data[ev->len] != '\0')
		abort();
	buf_append(&r->trace, ev->type, strlen(ev->type) + 1);
	buf_append(&r->trace, ev->id, strlen(ev->id) + 1);
	buf_append(&r->trace, (const char *)&ev->len, sizeof ev->len);
	buf_append(&r->trace, ev->data, ev->len);
	r->events++;
}

static void run_free(struct run *r)
{
	buf_free(&r->trace);
	buf_free(&r->last_id);
	*r = (struct run){ 0 };
}

static void check_round_trip(const struct sse_event *ev)
{
	struct buf out = BUF_INIT;
	struct run back = { 0 }, want = { 0 };
	struct sse_parser *p;
	/* The writer leaves out an empty type; "event: \0x" reads as "". */
	struct sse_event expect = { ev->type[0] != '\0' ? ev->type : "message", ev->data, ev->len,
		                    "" };

	if (sse_write_event(&out, ev->type, ev->data, ev->len) != 0)
		abort(); /* a parsed type never holds CR or LF */
	/* "data:x" comes back as "data: x": lines one byte longer. */
	p = sse_parser_new(MAX_LINE + 1, MAX_EVENT, record, &back);
	if (sse_parser_feed(p, out.data, out.len) != SSE_OK || back.events != 1 ||
	    sse_parser_pending(p))
		abort();
	record(&expect, &want);
	if (back.trace.len != want.trace.len ||
	    memcmp(back.trace.data, want.trace.data, want.trace.len) != 0)
		abort();
	sse_parser_free(&p);
	run_free(&back);
	run_free(&want);
	buf_free(&out);
}

static void record_checked(const struct sse_event *ev, void *arg)
{
	record(ev, arg);
	check_round_trip(ev);
}

/* Feeds the input to p: a first piece of cut bytes, then pieces of at most
 * step bytes, stopping at an error. */
static void parse(struct sse_parser *p, struct run *r, const unsigned char *data, size_t size,
                  size_t cut, size_t step)
{
	size_t off = cut;

	r->status = sse_parser_feed(p, data, cut);
	while (r->status == SSE_OK && off < size) {
		size_t n = size - off < step ? size - off : step;

		r->status = sse_parser_feed(p, data + off, n);
		off += n;
	}
	if (r->status != SSE_OK &&
	    (sse_parser_error(p) == NULL || sse_parser_feed(p, "\n\n", 2) != SSE_REFUSED))
		abort();
	r->pending = sse_parser_pending(p);
	r->retry = sse_parser_retry(p);
	buf_reset(&r->last_id);
	buf_puts(&r->last_id, sse_parser_last_id(p));
}

static void same(const struct run *a, const struct run *b)
{
	if (a->status != b->status || a->events != b->events || a->trace.len != b->trace.len ||
	    (a->trace.len != 0 && memcmp(a->trace.data, b->trace.data, a->trace.len) != 0))
		abort();
	if (a->status == SSE_OK && (a->pending != b->pending || a->retry != b->retry ||
	                            strcmp(buf_str(&a->last_id), buf_str(&b->last_id)) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	struct run whole = { 0 }, other = { 0 };
	struct sse_parser *pw = sse_parser_new(MAX_LINE, MAX_EVENT, record_checked, &whole);
	struct sse_parser *p;
	size_t cut = size > 0 ? (size_t)data[0] * size / 256 : 0;

	parse(pw, &whole, data, size, size, 1);

	p = sse_parser_new(MAX_LINE, MAX_EVENT, record, &other);
	parse(p, &other, data, size, cut, size);
	same(&whole, &other);
	sse_parser_free(&p);
	run_free(&other);

	if (size <= 1024) {
		p = sse_parser_new(MAX_LINE, MAX_EVENT, record, &other);
		parse(p, &other, data, size, 0, 1);
		same(&whole, &other);
		sse_parser_free(&p);
		run_free(&other);
	}

	/* A reset parser reads the stream like a new one; its callback still
	 * records into whole, emptied here after keeping the first run. */
	{
		struct run first = whole;

		whole = (struct run){ 0 };
		sse_parser_reset(pw);
		parse(pw, &whole, data, size, size, 1);
		same(&first, &whole);
		run_free(&first);
	}
	sse_parser_free(&pw);
	run_free(&whole);
	return 0;
}
