/* Asynchronous HTTP for ecii's one event loop: many transfers at once on one
 * libcurl multi handle, driven by http_multi_wait(), which waits on curl's
 * sockets and on the caller's own descriptors (the tty, a pipe) together
 * (curl_multi_poll with extra fds), then moves every transfer on and calls
 * back. Nothing blocks anywhere else. A transfer either keeps its whole
 * body (up to a cap) and hands it over at the end, or streams it chunk by
 * chunk (Server-Sent Events). Callbacks run only inside http_multi_wait()
 * and http_multi_free() never calls any; a callback must not call either
 * of them itself (it may start and cancel transfers). The token is never
 * logged and never reaches an error message. The program calls
 * http_client_global_init() (net/http_client.h) once before. */
#ifndef ECII_NET_HTTP_MULTI_H
#define ECII_NET_HTTP_MULTI_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

struct http_multi;
struct http_transfer;

/* What to send. Every pointer is borrowed and copied by http_multi_start. */
struct http_request {
	const char *method;          /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *url;             /* the whole URL */
	const char *token;           /* bearer token; NULL: no Authorization */
	const char *body;            /* sent as application/json; NULL: none */
	const char *accept;          /* Accept header; NULL: application/json */
	const char *if_none_match;   /* an ETag; NULL: none */
	const char *idempotency_key; /* Idempotency-Key (PROTOCOL.md §6); NULL: none */
	long connect_ms;             /* 0: 5000 */
	long timeout_ms;             /* the whole transfer; 0: no limit (streams) */
	size_t max_body;             /* kept bodies only; 0: 4 MiB */
};

/* How a transfer ended. Borrowed, valid during the callback only. */
struct http_result {
	long status;      /* the HTTP status; 0 when none came */
	const char *body; /* the kept body, NUL-terminated ("" when streamed) */
	size_t len;
	const char *etag;         /* the ETag header, or NULL */
	const char *content_type; /* the Content-Type header, or NULL */
	const char *error;        /* NULL when a response came in whole; else one line:
	                             "cannot reach http://127.0.0.1:9: Couldn't connect
	                             to server", "cannot reach ...: no connection
	                             within 5000 ms", "timed out after 10000 ms" (only
	                             for timeout_ms; always this prefix), "reply larger
	                             than 4194304 bytes", "connection lost: ..." */
	double ms;                /* from start to end */
};

/* Streaming: called with each piece of the body as it arrives (only for a
 * 2xx status; other statuses keep their body for the done callback).
 * Return false to stop the transfer: done is then not called. */
typedef bool (*http_data_fn)(const char *bytes, size_t len, void *arg);
/* Called once when the transfer ends, unless it was cancelled or stopped
 * by its data callback. The transfer is gone after it returns. */
typedef void (*http_done_fn)(const struct http_result *res, void *arg);

/* Returns new; never NULL (exits through fatal() when libcurl cannot make
 * a multi handle). */
struct http_multi *http_multi_new(void);
/* Drops every transfer (no callbacks) and frees *m; NULL accepted. */
void http_multi_free(struct http_multi **m);

/* Starts req. data: NULL keeps the body; else the body is streamed to it.
 * done may be NULL. arg is passed to both. Returns the transfer (owned by
 * m; valid until done returns or it is cancelled), or NULL with err set
 * when curl cannot take it (a bad URL). Callbacks may start and cancel
 * transfers, including their own. */
struct http_transfer *http_multi_start(struct http_multi *m, const struct http_request *req,
                                       http_data_fn data, http_done_fn done, void *arg, char *err,
                                       size_t errlen);
/* Stops t now; none of its callbacks is called again. NULL accepted; so
 * is t inside its own done callback (a no-op there). */
void http_multi_cancel(struct http_multi *m, struct http_transfer *t);
/* Transfers started and not yet ended or cancelled. */
size_t http_multi_active(const struct http_multi *m);

/* Waits at most timeout_ms (-1: no limit) until a transfer can move on or
 * one of the n extra descriptors is ready (their revents are set as poll()
 * would; fd -1 is ignored), moves every transfer on and calls back; also
 * returns early on a signal. Returns the number of extra descriptors with
 * revents, or -1 when curl fails. */
int http_multi_wait(struct http_multi *m, struct pollfd *extra, size_t n, int timeout_ms);

#endif
