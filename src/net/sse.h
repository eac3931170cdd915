/* Server-Sent Events (PROTOCOL.md §3): an incremental parser for the
 * text/event-stream the hub sends to clients, following the WHATWG
 * EventSource parsing rules, and the writer the hub formats events with.
 * Pure C over bytes: the caller feeds whatever arrived from the network, in
 * any chunking, and gets events through a callback. Bytes are not decoded
 * (UTF-8 is the JSON reader's business) and nothing here does I/O. Outside
 * input is bounded: a line or an event past its limit puts the parser in an
 * error state, and it refuses input until it is reset. */
#ifndef ECII_NET_SSE_H
#define ECII_NET_SSE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Default limits: the longest line (without its line end) and the largest
 * event data (data lines joined with '\n'), in bytes. */
#define SSE_MAX_LINE  (1024 * 1024)
#define SSE_MAX_EVENT (1024 * 1024)

enum sse_status {
	SSE_OK = 0,
	SSE_LINE_TOO_LONG, /* a line went past max_line */
	SSE_EVENT_TOO_BIG, /* an event's data went past max_event */
	SSE_REFUSED,       /* input after an earlier error, until sse_parser_reset() */
};

/* One dispatched event; every pointer is borrowed and valid only during the
 * callback. */
struct sse_event {
	const char *type; /* never NULL; "message" when the event named none; a NUL
	                     in the stream's event field ends it early */
	const char *data; /* never NULL, NUL-terminated, len bytes (may hold NULs) */
	size_t len;
	const char *id; /* the last event id in effect, never NULL; "" if none */
};

/* Called once per dispatched event, in stream order. It must not feed, reset
 * or free the parser that called it; to stop, remember so and stop feeding. */
typedef void (*sse_event_fn)(const struct sse_event *ev, void *arg);

struct sse_parser;

/* Returns a new parser (never NULL). max_line and max_event of 0 mean the
 * defaults above. fn may be NULL (events are dropped); arg is borrowed and
 * passed to fn. */
struct sse_parser *sse_parser_new(size_t max_line, size_t max_event, sse_event_fn fn, void *arg);
/* Frees *p (NULL and *p == NULL accepted) and sets *p to NULL. */
void sse_parser_free(struct sse_parser **p);
/* Back to the start of a new stream (a BOM is skipped again), clearing any
 * error, partial line, pending event, last event id and retry; keeps the
 * limits, the callback and the buffers' memory. */
void sse_parser_reset(struct sse_parser *p);

/* Parses len bytes (bytes may be NULL when len is 0), calling fn for each
 * event completed by a blank line. Returns SSE_OK; or, once, the error that
 * stopped it (events before the offending line were delivered, nothing after
 * it is), and SSE_REFUSED for every later call until sse_parser_reset(). An
 * event not closed by a blank line is never dispatched (see pending). */
enum sse_status sse_parser_feed(struct sse_parser *p, const void *bytes, size_t len);
/* The error message, e.g. "event stream line too long (limit 1048576
 * bytes)", borrowed until the next reset or free; NULL while there is none. */
const char *sse_parser_error(const struct sse_parser *p);
/* Whether the stream so far ends inside an event: a partial line, or field
 * lines after the last blank line. At the end of a stream this means the
 * last event was cut off (and, as the rules say, discarded). */
bool sse_parser_pending(const struct sse_parser *p);
/* The last event id set by a dispatched (or dataless) event, borrowed; "" if
 * none. The id a reconnecting client would send as Last-Event-ID. */
const char *sse_parser_last_id(const struct sse_parser *p);
/* The last valid retry field in milliseconds (saturated at LLONG_MAX), or -1. */
long long sse_parser_retry(const struct sse_parser *p);
/* A static English text for a status. */
const char *sse_status_str(enum sse_status status);

/* Appends one event to out: "event: <type>\n" (left out when type is NULL or
 * ""), one "data:" line per line of data (CRLF, CR and LF all split lines, as
 * the parser reads them, so data comes back with each line end as '\n'),
 * then a blank line. data may be NULL when len is 0; len 0 still makes one
 * empty data line, so the event is dispatched. Returns 0, or -1 with out
 * untouched if type holds a CR or LF. */
int sse_write_event(struct buf *out, const char *type, const char *data, size_t len);
/* Appends a comment, one ": " line per line of text; NULL or "" gives the
 * bare ":\n" keep-alive. A comment never dispatches or changes an event. */
void sse_write_comment(struct buf *out, const char *text);

#endif
