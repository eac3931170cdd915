/* The event-stream parser and writer (net/sse.h): degenerate input first,
 * line ends split at every position, the limits, then real PROTOCOL.md §3
 * streams and writer → parser round trips. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "net/sse.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#define MAX_GOT 64

/* Feeds a string literal, NULs and all. */
#define FEED(p, lit) sse_parser_feed((p), (lit), sizeof(lit) - 1)

/* What a parser delivered: each event, and all of them as one byte string
 * so that runs over different chunkings compare with one memcmp. */
struct got {
	int n;
	char *type[MAX_GOT];
	char *id[MAX_GOT];
	char *data[MAX_GOT];
	size_t len[MAX_GOT];
	struct buf trace;
};

static void on_event(const struct sse_event *ev, void *arg)
{
	struct got *g = arg;

	assert_non_null(ev->type);
	assert_non_null(ev->data);
	assert_non_null(ev->id);
	assert_int_equal(ev->data[ev->len], '\0');
	buf_printf(&g->trace, "[%s|%s|%zu|", ev->type, ev->id, ev->len);
	buf_append(&g->trace, ev->data, ev->len);
	buf_putc(&g->trace, ']');
	if (g->n >= MAX_GOT) {
		g->n++;
		return;
	}
	g->type[g->n] = xstrdup(ev->type);
	g->id[g->n] = xstrdup(ev->id);
	g->data[g->n] = xmalloc(ev->len + 1);
	memcpy(g->data[g->n], ev->data, ev->len + 1);
	g->len[g->n] = ev->len;
	g->n++;
}

static void got_clear(struct got *g)
{
	for (int i = 0; i < g->n && i < MAX_GOT; i++) {
		free(g->type[i]);
		free(g->id[i]);
		free(g->data[i]);
	}
	buf_free(&g->trace);
	memset(g, 0, sizeof *g);
}

static void assert_event(const struct got *g, int i, const char *type, const char *data,
                         const char *id)
{
	assert_true(i < g->n && i < MAX_GOT);
	assert_string_equal(g->type[i], type);
	assert_int_equal(g->len[i], strlen(data));
	assert_string_equal(g->data[i], data);
	assert_string_equal(g->id[i], id);
}

/* Parses s in one go with a fresh parser (default limits). */
static enum sse_status parse_all(const char *s, size_t len, struct got *g)
{
	struct sse_parser *p = sse_parser_new(0, 0, on_event, g);
	enum sse_status st = sse_parser_feed(p, s, len);

	sse_parser_free(&p);
	return st;
}

/* Parses s cut at i and j (i <= j; only i == j for long s), and byte by
 * byte, and checks each gives exactly the events (and status and pending
 * state) of one whole feed. */
static void assert_chunking_invariant(const char *s, size_t len, size_t max_line, size_t max_event)
{
	struct got whole = { 0 };
	struct sse_parser *p = sse_parser_new(max_line, max_event, on_event, &whole);
	enum sse_status want = sse_parser_feed(p, s, len);
	bool pending = sse_parser_pending(p);
	long long retry = sse_parser_retry(p);

	sse_parser_free(&p);
	for (size_t i = 0; i <= len; i++) {
		for (size_t j = i; j <= (len <= 96 ? len : i); j++) {
			struct got g = { 0 };
			enum sse_status st;

			p = sse_parser_new(max_line, max_event, on_event, &g);
			st = sse_parser_feed(p, s, i);
			if (st == SSE_OK)
				st = sse_parser_feed(p, s + i, j - i);
			if (st == SSE_OK)
				st = sse_parser_feed(p, s + j, len - j);
			assert_int_equal(st, want);
			if (want == SSE_OK) {
				assert_int_equal(sse_parser_pending(p), pending);
				assert_true(sse_parser_retry(p) == retry);
			}
			assert_int_equal(g.trace.len, whole.trace.len);
			assert_memory_equal(buf_str(&g.trace), buf_str(&whole.trace),
			                    whole.trace.len);
			sse_parser_free(&p);
			got_clear(&g);
		}
	}
	{
		struct got g = { 0 };
		enum sse_status st = SSE_OK;

		p = sse_parser_new(max_line, max_event, on_event, &g);
		for (size_t i = 0; i < len && st == SSE_OK; i++)
			st = sse_parser_feed(p, s + i, 1);
		assert_int_equal(st, want);
		assert_string_equal(buf_str(&g.trace), buf_str(&whole.trace));
		sse_parser_free(&p);
		got_clear(&g);
	}
	got_clear(&whole);
}

static void test_empty_feed(void **state)
{
	struct got g = { 0 };
	struct sse_parser *p = NULL;

	sse_parser_free(NULL);
	sse_parser_free(&p);
	p = sse_parser_new(0, 0, on_event, &g);
	assert_int_equal(sse_parser_feed(p, NULL, 0), SSE_OK);
	assert_int_equal(FEED(p, ""), SSE_OK);
	assert_int_equal(g.n, 0);
	assert_false(sse_parser_pending(p));
	assert_null(sse_parser_error(p));
	assert_string_equal(sse_parser_last_id(p), "");
	assert_true(sse_parser_retry(p) == -1);
	/* Blank lines alone dispatch nothing. */
	assert_int_equal(FEED(p, "\n\r\n\r\n\n"), SSE_OK);
	assert_int_equal(g.n, 0);
	assert_false(sse_parser_pending(p));
	sse_parser_free(&p);
	assert_null(p);
	/* A parser without a callback drops events but keeps state. */
	p = sse_parser_new(0, 0, NULL, NULL);
	assert_int_equal(FEED(p, "id: 7\ndata: x\n\n"), SSE_OK);
	assert_string_equal(sse_parser_last_id(p), "7");
	sse_parser_free(&p);
}

static void test_only_comments(void **state)
{
	static const char s[] = ":hello\n: ping\r\n:\r:data: x\n\n:event: y\r\n\r\n";
	struct got g = { 0 };
	struct sse_parser *p = sse_parser_new(0, 0, on_event, &g);

	assert_int_equal(sse_parser_feed(p, s, sizeof s - 1), SSE_OK);
	assert_int_equal(g.n, 0);
	assert_false(sse_parser_pending(p));
	/* A comment inside an event neither ends nor changes it. */
	assert_int_equal(FEED(p, "data: a\n:c\ndata: b\n\n"), SSE_OK);
	assert_int_equal(g.n, 1);
	assert_event(&g, 0, "message", "a\nb", "");
	sse_parser_free(&p);
	got_clear(&g);
	assert_chunking_invariant(s, sizeof s - 1, 0, 0);
}

static void test_dangling_event(void **state)
{
	struct got g = { 0 };
	struct sse_parser *p = sse_parser_new(0, 0, on_event, &g);

	/* Ends without the blank line: not dispatched, and said so. */
	assert_int_equal(FEED(p, "event: x\ndata: 1\n"), SSE_OK);
	assert_int_equal(g.n, 0);
	assert_true(sse_parser_pending(p));
	sse_parser_reset(p);
	assert_false(sse_parser_pending(p));
	/* Ends inside a line. */
	assert_int_equal(FEED(p, "data: 1"), SSE_OK);
	assert_true(sse_parser_pending(p));
	assert_int_equal(FEED(p, "\n"), SSE_OK);
	assert_int_equal(g.n, 0);
	assert_true(sse_parser_pending(p));
	/* The blank line comes later: now it is dispatched. */
	assert_int_equal(FEED(p, "\r\n"), SSE_OK);
	assert_int_equal(g.n, 1);
	assert_event(&g, 0, "message", "1", "");
	assert_false(sse_parser_pending(p));
	/* A reset drops a half event: the stream starts anew. */
	assert_int_equal(FEED(p, "event: lost\ndata: lost\n"), SSE_OK);
	sse_parser_reset(p);
	assert_int_equal(FEED(p, "data: kept\n\n"), SSE_OK);
	assert_int_equal(g.n, 2);
	assert_event(&g, 1, "message", "kept", "");
	sse_parser_free(&p);
	got_clear(&g);
}

static void test_line_ends_split_everywhere(void **state)
{
	static const char s[] = "data: a\rdata: b\r\n\r\ndata:c\n\revent: e\r\ndata\r\r"
	                        ":x\rdata: d\n\n\r\nid: 5\r\r";
	struct got g = { 0 };

	assert_int_equal(parse_all(s, sizeof s - 1, &g), SSE_OK);
	assert_int_equal(g.n, 4);
	assert_event(&g, 0, "message", "a\nb", "");
	assert_event(&g, 1, "message", "c", "");
	assert_event(&g, 2, "e", "", "");
	assert_event(&g, 3, "message", "d", "");
	got_clear(&g);
	assert_chunking_invariant(s, sizeof s - 1, 0, 0);
}

static void test_cr_lf_across_chunks(void **state)
{
	struct got g = { 0 };
	struct sse_parser *p = sse_parser_new(0, 0, on_event, &g);

	/* CR at the end of a chunk and LF at the start of the next: one line end. */
	assert_int_equal(FEED(p, "data: a\r"), SSE_OK);
	assert_int_equal(FEED(p, "\n"), SSE_OK);
	assert_int_equal(g.n, 0);
	assert_int_equal(FEED(p, "data: b\r"), SSE_OK);
	assert_int_equal(FEED(p, "\r"), SSE_OK);
	assert_int_equal(g.n, 1);
	assert_event(&g, 0, "message", "a\nb", "");
	/* An LF after a CR that ended a blank line is a second, empty line. */
	assert_int_equal(FEED(p, "\n"), SSE_OK);
	assert_int_equal(FEED(p, "data: c\n"), SSE_OK);
	assert_int_equal(FEED(p, "\r"), SSE_OK);
	assert_int_equal(FEED(p, "\n"), SSE_OK);
	assert_int_equal(g.n, 2);
	assert_event(&g, 1, "message", "c", "");
	sse_parser_free(&p);
	got_clear(&g);
}

static void test_bom(void **state)
{
	static const char with_bom[] = "\xEF\xBB\xBF"
	                               "data: x\n\n";
	static const char two_boms[] = "\xEF\xBB\xBF\xEF\xBB\xBF"
	                               "data: x\n\ndata: y\n\n";
	static const char half_bom[] = "\xEF\xBB"
	                               "data: x\n\ndata: y\n\n";
	struct got g = { 0 };
	struct sse_parser *p;

	assert_int_equal(parse_all(with_bom, sizeof with_bom - 1, &g), SSE_OK);
	assert_int_equal(g.n, 1);
	assert_event(&g, 0, "message", "x", "");
	got_clear(&g);
	/* Only one BOM is skipped: the second makes an unknown field name. */
	assert_int_equal(parse_all(two_boms, sizeof two_boms - 1, &g), SSE_OK);
	assert_int_equal(g.n, 1);
	assert_event(&g, 0, "message", "y", "");
	got_clear(&g);
	/* Part of a BOM is no BOM: its bytes stay in the first line. */
	assert_int_equal(parse_all(half_bom, sizeof half_bom - 1, &g), SSE_OK);
	assert_int_equal(g.n, 1);
	assert_event(&g, 0, "message", "y", "");
	got_clear(&g);
	/* Only at the start of the stream, which a reset starts again. */
	p = sse_parser_new(0, 0, on_event, &g);
	assert_int_equal(FEED(p, "\xEF"), SSE_OK);
	assert_true(sse_parser_pending(p));
	assert_int_equal(FEED(p, "\xBB\xBF"), SSE_OK);
	assert_int_equal(FEED(p, "\n\xEF\xBB\xBF"
	                         "data: z\n\n"),
	                 SSE_OK);
	assert_int_equal(g.n, 0);
	sse_parser_reset(p);
	assert_int_equal(sse_parser_feed(p, with_bom, sizeof with_bom - 1), SSE_OK);
	assert_int_equal(g.n, 1);
	sse_parser_free(&p);
	got_clear(&g);
	assert_chunking_invariant(with_bom, sizeof with_bom - 1, 0, 0);
	assert_chunking_invariant(two_boms, sizeof two_boms - 1, 0, 0);
	assert_chunking_invariant(half_bom, sizeof half_bom - 1, 0, 0);
}

static void test_fields(void **state)
{
	static const char s[] = "data\n\n"      /* a field alone: empty value */
	                        "data:x\n\n"    /* no space */
	                        "data:  x \n\n" /* one space removed, no more */
	                        "data: 1\ndata\ndata: 3\n\n"
	                        "event: only\n\n"    /* no data: not dispatched */
	                        "data: after\n\n"    /* and its type is gone */
	                        "event\ndata: e\n\n" /* empty type is "message" */
	                        "Data: no\nDATA: no\n\n"
	                        "foo: bar\ndata: f\nevent: t:u\n\n"
	                        "event: a\nevent: b\ndata: last type wins\n\n"
	                        "data: colon: inside\n\n";
	struct got g = { 0 };

	assert_int_equal(parse_all(s, sizeof s - 1, &g), SSE_OK);
	assert_int_equal(g.n, 9);
	assert_event(&g, 0, "message", "", "");
	assert_event(&g, 1, "message", "x", "");
	assert_event(&g, 2, "message", " x ", "");
	assert_event(&g, 3, "message", "1\n\n3", "");
	assert_event(&g, 4, "message", "after", "");
	assert_event(&g, 5, "message", "e", "");
	assert_event(&g, 6, "t:u", "f", "");
	assert_event(&g, 7, "b", "last type wins", "");
	assert_event(&g, 8, "message", "colon: inside", "");
	got_clear(&g);
}

static void test_nul_bytes(void **state)
{
	static const char s[] = "data: a\0b\n\n"
	                        "id: 1\0\ndata: c\n\n"
	                        "event: x\0y\ndata: d\n\n";
	struct got g = { 0 };

	assert_int_equal(parse_all(s, sizeof s - 1, &g), SSE_OK);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.len[0], 3);
	assert_memory_equal(g.data[0], "a\0b", 4);
	/* An id holding a NUL is ignored. */
	assert_event(&g, 1, "message", "c", "");
	/* A NUL ends the type as a C string. */
	assert_event(&g, 2, "x", "d", "");
	got_clear(&g);
}

static void test_id_and_retry(void **state)
{
	static const char s[] = "id: 1\ndata: a\n\n"
	                        "data: b\n\n" /* the id stays */
	                        "id: 2\n\n"   /* no data, but the id moves */
	                        "data: c\n\n"
	                        "id\ndata: d\n\n" /* empty id clears it */
	                        "retry: 3000\n\n"
	                        "retry: 12a\n\n" /* digits only */
	                        "retry:\n\n"
	                        "retry:  5\n\n"
	                        "id: 9\ndata: e\n";
	struct got g = { 0 };
	struct sse_parser *p = sse_parser_new(0, 0, on_event, &g);

	assert_int_equal(sse_parser_feed(p, s, sizeof s - 1), SSE_OK);
	assert_int_equal(g.n, 4);
	assert_event(&g, 0, "message", "a", "1");
	assert_event(&g, 1, "message", "b", "1");
	assert_event(&g, 2, "message", "c", "2");
	assert_event(&g, 3, "message", "d", "");
	assert_true(sse_parser_retry(p) == 3000);
	/* The pending event's id is not the last event id yet. */
	assert_string_equal(sse_parser_last_id(p), "");
	assert_int_equal(FEED(p, "\n"), SSE_OK);
	assert_string_equal(sse_parser_last_id(p), "9");
	assert_event(&g, 4, "message", "e", "9");
	assert_int_equal(FEED(p, "retry: 99999999999999999999999\n"), SSE_OK);
	assert_true(sse_parser_retry(p) > 1000000000000LL);
	sse_parser_reset(p);
	assert_true(sse_parser_retry(p) == -1);
	assert_string_equal(sse_parser_last_id(p), "");
	sse_parser_free(&p);
	got_clear(&g);
	assert_chunking_invariant(s, sizeof s - 1, 0, 0);
}

static void test_line_limit(void **state)
{
	struct got g = { 0 };
	struct sse_parser *p = sse_parser_new(16, 64, on_event, &g);
	const char *err;

	/* 16 bytes is the limit and fits. */
	assert_int_equal(FEED(p, "data: 0123456789\n\n"), SSE_OK);
	assert_int_equal(g.n, 1);
	/* Comments count too; the error comes once, then input is refused. */
	assert_int_equal(FEED(p, "data: ok\n\n:0123456789abcdef"), SSE_LINE_TOO_LONG);
	assert_int_equal(g.n, 2);
	err = sse_parser_error(p);
	assert_non_null(err);
	assert_non_null(strstr(err, "line too long"));
	assert_non_null(strstr(err, "16"));
	assert_int_equal(FEED(p, "\n\ndata: x\n\n"), SSE_REFUSED);
	assert_int_equal(sse_parser_feed(p, NULL, 0), SSE_REFUSED);
	assert_int_equal(g.n, 2);
	assert_string_equal(sse_parser_error(p), err);
	sse_parser_reset(p);
	assert_null(sse_parser_error(p));
	/* Found before the line ends, even fed byte by byte. */
	for (int i = 0; i < 16; i++)
		assert_int_equal(FEED(p, "x"), SSE_OK);
	assert_int_equal(FEED(p, "x"), SSE_LINE_TOO_LONG);
	sse_parser_free(&p);
	got_clear(&g);
	assert_chunking_invariant("data: 0123456789\n\ndata: 0123456789a\n\n",
	                          sizeof("data: 0123456789\n\ndata: 0123456789a\n\n") - 1, 16, 64);
	assert_chunking_invariant("data: a\r\n\xEF\xBB\xBF:0123456789abc\r\n",
	                          sizeof("data: a\r\n\xEF\xBB\xBF:0123456789abc\r\n") - 1, 16, 64);
}

static void test_event_limit(void **state)
{
	struct got g = { 0 };
	struct sse_parser *p = sse_parser_new(64, 10, on_event, &g);

	/* 10 bytes of joined data (line ends included) fit. */
	assert_int_equal(FEED(p, "data: 0123\ndata: 4\ndata: 678\n\n"), SSE_OK);
	assert_int_equal(g.n, 1);
	assert_event(&g, 0, "message", "0123\n4\n678", "");
	assert_int_equal(FEED(p, "data: 0123\ndata: 4\ndata: 6789\n\n"), SSE_EVENT_TOO_BIG);
	assert_int_equal(g.n, 1);
	assert_non_null(strstr(sse_parser_error(p), "event too big"));
	assert_int_equal(FEED(p, "\n"), SSE_REFUSED);
	sse_parser_reset(p);
	/* Many small events are fine: the limit is per event. */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(FEED(p, "data: 0123456789\n\n"), SSE_OK);
	assert_int_equal(g.n, 1001);
	sse_parser_free(&p);
	got_clear(&g);
	assert_chunking_invariant("data: 01234\n\ndata: 0123\ndata: 456789\n\n",
	                          sizeof("data: 01234\n\ndata: 0123\ndata: 456789\n\n") - 1, 64,
	                          10);
}

static void test_default_limits(void **state)
{
	size_t n = SSE_MAX_LINE - 6;
	char *big = xmalloc(SSE_MAX_LINE + 16);
	struct got g = { 0 };
	struct sse_parser *p = sse_parser_new(0, 0, on_event, &g);

	memcpy(big, "data: ", 6);
	memset(big + 6, 'x', n);
	/* One line of exactly SSE_MAX_LINE bytes, fed in small pieces. */
	for (size_t off = 0; off < SSE_MAX_LINE; off += 4093) {
		size_t len = SSE_MAX_LINE - off < 4093 ? SSE_MAX_LINE - off : 4093;

		assert_int_equal(sse_parser_feed(p, big + off, len), SSE_OK);
	}
	assert_int_equal(FEED(p, "\n\n"), SSE_OK);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.len[0], n);
	/* One byte more is too much. */
	big[SSE_MAX_LINE] = 'x';
	assert_int_equal(sse_parser_feed(p, big, SSE_MAX_LINE + 1), SSE_LINE_TOO_LONG);
	sse_parser_reset(p);
	/* An event as big as allowed from lines within the limit, then one more byte. */
	memcpy(big, "data: ", 6);
	memset(big + 6, 'y', 1023);
	big[6 + 1023] = '\n';
	for (int i = 0; i < 1024; i++)
		assert_int_equal(sse_parser_feed(p, big, 6 + 1024), SSE_OK);
	assert_int_equal(FEED(p, "\n"), SSE_OK);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.len[1], SSE_MAX_EVENT - 1);
	for (int i = 0; i < 1024; i++)
		assert_int_equal(sse_parser_feed(p, big, 6 + 1024), SSE_OK);
	assert_int_equal(FEED(p, "data: z\n"), SSE_EVENT_TOO_BIG);
	sse_parser_free(&p);
	got_clear(&g);
	free(big);
}

/* PROTOCOL.md §3 as the hub sends it: results from two sites, then the end. */
static const char hub_stream[] =
    "event: new_result\n"
    "data: {\"from\":\"focus.site-a.broker.example\",\"to\":[\"spot\"],\"task\":"
    "\"3f1c0e2a-8a7b-4c1e-9d2f-5b6a7c8d9e0f\",\"status\":\"claimed\",\"metadata\":null}\n"
    "\n"
    ": keep-alive\n"
    "event: new_result\r\n"
    "data: {\"from\":\"focus.site-b.broker.example\",\"to\":[\"spot\"],\"task\":"
    "\"3f1c0e2a-8a7b-4c1e-9d2f-5b6a7c8d9e0f\",\"status\":\"permfailed\",\"metadata\":null,"
    "\"body\":\"site store unavailable\"}\r\n"
    "\r\n"
    "event: new_result\n"
    "data: {\"from\":\"focus.site-a.broker.example\",\"to\":[\"spot\"],\"task\":"
    "\"3f1c0e2a-8a7b-4c1e-9d2f-5b6a7c8d9e0f\",\"status\":\"succeeded\",\"metadata\":null,"
    "\"body\":\"eyJwcm92aWRlciI6IlNpdGUgQSIsImNvbGxlY3Rpb25zIjpbXX0=\"}\n"
    "\n"
    "event: wait_expired\n"
    "data:\n"
    "\n";

static void test_hub_stream(void **state)
{
	static const char *const status[] = { "claimed", "permfailed", "succeeded" };
	static const char *const site[] = { "focus.site-a.broker.example",
		                            "focus.site-b.broker.example",
		                            "focus.site-a.broker.example" };
	struct got g = { 0 };

	assert_int_equal(parse_all(hub_stream, sizeof hub_stream - 1, &g), SSE_OK);
	assert_int_equal(g.n, 4);
	for (int i = 0; i < 3; i++) {
		json_error_t jerr;
		json_t *j = json_loadb(g.data[i], g.len[i], 0, &jerr);

		assert_string_equal(g.type[i], "new_result");
		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(j, "status")), status[i]);
		assert_string_equal(json_string_value(json_object_get(j, "from")), site[i]);
		assert_true(json_is_null(json_object_get(j, "metadata")));
		json_decref(j);
	}
	assert_event(&g, 3, "wait_expired", "", "");
	got_clear(&g);
	/* The stream cut anywhere gives the same events. */
	assert_chunking_invariant(hub_stream, sizeof hub_stream - 1, 0, 0);
	/* Without a data line an event is not dispatched: writers must send one. */
	assert_int_equal(
	    parse_all("event: wait_expired\n\n", sizeof("event: wait_expired\n\n") - 1, &g),
	    SSE_OK);
	assert_int_equal(g.n, 0);
	got_clear(&g);
}

static void test_writer_format(void **state)
{
	struct buf out = BUF_INIT;

	assert_int_equal(sse_write_event(&out, "new_result", "{\"a\":1}", 7), 0);
	assert_string_equal(buf_str(&out), "event: new_result\ndata: {\"a\":1}\n\n");
	buf_reset(&out);
	assert_int_equal(sse_write_event(&out, NULL, "a\n\nb", 4), 0);
	assert_string_equal(buf_str(&out), "data: a\ndata:\ndata: b\n\n");
	buf_reset(&out);
	assert_int_equal(sse_write_event(&out, "", NULL, 0), 0);
	assert_string_equal(buf_str(&out), "data:\n\n");
	buf_reset(&out);
	assert_int_equal(sse_write_event(&out, "wait_expired", "", 0), 0);
	assert_string_equal(buf_str(&out), "event: wait_expired\ndata:\n\n");
	buf_reset(&out);
	assert_int_equal(sse_write_event(&out, "x", "a\rb\r\nc\n", 7), 0);
	assert_string_equal(buf_str(&out), "event: x\ndata: a\ndata: b\ndata: c\ndata:\n\n");
	buf_reset(&out);
	/* No line can be injected through the type. */
	buf_puts(&out, "kept");
	assert_int_equal(sse_write_event(&out, "x\ndata: evil", "d", 1), -1);
	assert_int_equal(sse_write_event(&out, "x\revil", "d", 1), -1);
	assert_int_equal(sse_write_event(&out, "\n", "d", 1), -1);
	assert_string_equal(buf_str(&out), "kept");
	buf_reset(&out);
	sse_write_comment(&out, NULL);
	sse_write_comment(&out, "");
	sse_write_comment(&out, "keep-alive");
	sse_write_comment(&out, "two\r\ndata: no\revent: no\n");
	assert_string_equal(buf_str(&out),
	                    ":\n:\n: keep-alive\n: two\n: data: no\n: event: no\n:\n");
	buf_free(&out);
}

static void test_comment_round_trip(void **state)
{
	struct buf out = BUF_INIT;
	struct got g = { 0 };

	sse_write_comment(&out, "x\n\ndata: no\n\n");
	assert_int_equal(sse_write_event(&out, "t", "d", 1), 0);
	sse_write_comment(&out, NULL);
	assert_int_equal(parse_all(out.data, out.len, &g), SSE_OK);
	assert_int_equal(g.n, 1);
	assert_event(&g, 0, "t", "d", "");
	got_clear(&g);
	buf_free(&out);
}

/* What the parser gives back for data the writer wrote: every line end as '\n'. */
static char *normalise(const char *s, size_t len, size_t *out_len)
{
	char *r = xmalloc(len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r') {
			r[n++] = '\n';
			if (i + 1 < len && s[i + 1] == '\n')
				i++;
		} else {
			r[n++] = s[i];
		}
	}
	r[n] = '\0';
	*out_len = n;
	return r;
}

static void test_writer_round_trip(void **state)
{
	static const struct {
		const char *type;
		const char *data;
		size_t len;
	} cases[] = {
#define CASE(t, d) { t, d, sizeof(d) - 1 }
		CASE("new_result", "{\"from\":\"focus.site-a.x\"}"),
		CASE(NULL, ""),
		CASE("e", "\n"),
		CASE("e", "\n\n\n"),
		CASE("lone cr", "a\rb"),
		CASE("crlf", "a\r\nb"),
		CASE("cr at end", "x\r"),
		CASE("only cr", "\r"),
		CASE("cr cr lf", "\r\r\n"),
		CASE("lf cr", "\n\r"),
		CASE(" leading space", " two  spaces "),
		CASE("colon:type", ": not a comment"),
		CASE("message", "data: not a field\n\nevent: no\nid: no\nretry: 1"),
		CASE("nul", "a\0b\0"),
		CASE("\xEF\xBB\xBF", "\xEF\xBB\xBF"),
#undef CASE
	};
	struct buf out = BUF_INIT;
	struct got g = { 0 };
	size_t n = sizeof cases / sizeof cases[0];

	/* The stream may start with a BOM; an event whose type looks like one stays. */
	buf_puts(&out, "\xEF\xBB\xBF");
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(sse_write_event(&out, cases[i].type, cases[i].data, cases[i].len),
		                 0);
		if (i % 3 == 0)
			sse_write_comment(&out, "between\revents");
	}
	assert_int_equal(parse_all(out.data, out.len, &g), SSE_OK);
	assert_int_equal(g.n, (int)n);
	for (size_t i = 0; i < n; i++) {
		size_t want_len;
		char *want = normalise(cases[i].data, cases[i].len, &want_len);
		const char *type = cases[i].type != NULL ? cases[i].type : "message";

		assert_string_equal(g.type[i], type);
		assert_int_equal(g.len[i], want_len);
		assert_memory_equal(g.data[i], want, want_len);
		free(want);
	}
	got_clear(&g);
	/* And in any chunking. */
	assert_chunking_invariant(out.data, out.len, 0, 0);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_feed),
		cmocka_unit_test(test_only_comments),
		cmocka_unit_test(test_dangling_event),
		cmocka_unit_test(test_line_ends_split_everywhere),
		cmocka_unit_test(test_cr_lf_across_chunks),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_id_and_retry),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_event_limit),
		cmocka_unit_test(test_default_limits),
		cmocka_unit_test(test_hub_stream),
		cmocka_unit_test(test_writer_format),
		cmocka_unit_test(test_comment_round_trip),
		cmocka_unit_test(test_writer_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
