/* The HTTP server glue over libmicrohttpd, shared by ecii-hub and
 * ecii-node: it listens, matches a route table, gathers request bodies up to
 * a limit and sends JSON. A handler may also park its request (a long poll)
 * or answer with a stream fed as data arrives; a parked connection holds no
 * thread and is woken by a key or a deadline. Handlers never see libmicrohttpd. The bearer token
 * is handed to handlers and never logged; only method, path and status are.
 * It knows nothing of the hub's database or of what the routes mean. */
#ifndef ECII_NET_SERVER_H
#define ECII_NET_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/buf.h"

#define SERVER_DEFAULT_MAX_BODY (1024 * 1024)
#define SERVER_PARAM_MAX        256

struct server;

enum server_mode {
	SERVER_THREAD, /* one internal thread polls and runs every handler in turn */
	SERVER_SELECT, /* no thread: the caller drives it with server_run() */
};

/* What a handler is given; every pointer is borrowed for the call only. */
struct server_request {
	const char *method; /* "GET", "PUT", ...; a HEAD request is routed as "GET" */
	const char *path;   /* decoded path, without the query string */
	const char *param;  /* the route's first {param} segment, or NULL if it has none */
	const char *param2; /* its second {param} segment, or NULL */
	const char *param3; /* its third {param} segment, or NULL */
	const char *token;  /* the token of "Authorization: Bearer ...", or NULL */
	const char *body;   /* NUL-terminated; "" when there is none */
	size_t body_len;
	int64_t since_ms; /* server_now_ms() when the request was first dispatched */
	void *conn;       /* private to server.c */
};

/* What a stream callback returns: more later (call again at *deadline_ms or
 * when woken), or the stream ends after what was appended. */
enum server_stream_status {
	SERVER_STREAM_WAIT,
	SERVER_STREAM_END,
};

/* Appends what is ready to out and says what next. Runs on the server's
 * thread, like handlers; now_ms is server_now_ms(). On SERVER_STREAM_WAIT
 * it sets *deadline_ms (monotonic ms) to when it must be called again even
 * if nobody wakes its key. */
typedef enum server_stream_status (*server_stream_fn)(void *cls, struct buf *out, int64_t now_ms,
                                                      int64_t *deadline_ms);
/* Frees a stream's cls when the connection is done with it. */
typedef void (*server_stream_free_fn)(void *cls);

/* What a handler fills in. server_response_json / _error set it; a handler
 * that leaves status 0 gets a 500. */
struct server_response {
	int status;
	char *body; /* new (freed by the server), or NULL for no body */
	size_t body_len;
	const char *content_type; /* static, or NULL */
	char *etag;               /* new, or NULL */
	/* set by server_response_wait: the request is parked, not answered */
	char *wait_key; /* new */
	int64_t wait_deadline_ms;
	/* set by server_response_stream */
	server_stream_fn stream_fn;
	server_stream_free_fn stream_free;
	void *stream_cls;
	char *stream_key; /* new */
};

typedef void (*server_handler_fn)(void *ctx, const struct server_request *req,
                                  struct server_response *resp);

/* A route: method and a path pattern of literal segments and at most three
 * "{name}" segments, each of which matches one non-empty segment other than "." and
 * "..", of printable ASCII, at most SERVER_PARAM_MAX bytes. */
struct server_route {
	const char *method;
	const char *pattern;
	server_handler_fn handler;
};

/* A route (method and pattern as in server_route) whose requests may send
 * bodies up to max_body instead of the server's limit: uploads. */
struct server_body_limit {
	const char *method;
	const char *pattern;
	size_t max_body;
};

struct server_config {
	const char *address; /* numeric IPv4 or IPv6 address; NULL: 127.0.0.1 */
	uint16_t port;       /* 0: a free port (see server_port()) */
	enum server_mode mode;
	size_t max_body;                   /* 0: SERVER_DEFAULT_MAX_BODY; a longer body gets 413 */
	const struct server_route *routes; /* borrowed; must outlive the server */
	size_t n_routes;
	const struct server_body_limit *body_limits; /* borrowed, may be NULL; the first
	                                                 that matches a request wins */
	size_t n_body_limits;
	void *ctx; /* borrowed; passed to every handler */
};

/* Listens and starts serving. Returns new, or NULL with err set (a bad
 * address, the port taken, ...). */
struct server *server_start(const struct server_config *cfg, char *err, size_t errlen);
/* The port it listens on (the one picked when the config asked for 0). */
uint16_t server_port(const struct server *s);
/* SERVER_SELECT mode only: waits up to timeout_ms (negative: as long as
 * libmicrohttpd likes) for work and does it. Returns 0, or -1 on error or
 * in thread mode. */
int server_run(struct server *s, int timeout_ms);
/* Stops listening, ends parked requests (503) and streams, closes every
 * connection and frees *s; NULL or *s NULL is a no-op. */
void server_stop(struct server **s);

/* A request header's value (borrowed), or NULL when it is absent. */
const char *server_request_header(const struct server_request *req, const char *name);
/* A query-string argument's value (borrowed), or NULL when it is absent. */
const char *server_request_arg(const struct server_request *req, const char *name);

/* Monotonic milliseconds, the clock of deadlines and since_ms. */
int64_t server_now_ms(void);

/* Leaves the request unanswered: its connection is parked, holding no
 * thread, until server_wake(key) (key copied, not NULL) or deadline_ms,
 * and then the handler is called again with the same request (since_ms
 * unchanged). While the server is stopping the request gets 503 instead. */
void server_response_wait(struct server_response *resp, const char *key, int64_t deadline_ms);
/* Answers status with content_type (static) and a body of unknown length
 * made by fn(cls), sent as it comes. key (copied, not NULL) wakes it.
 * cls is stolen: free_fn (NULL: nothing) frees it when the stream is
 * done, even if the stream never ran. */
void server_response_stream(struct server_response *resp, int status, const char *content_type,
                            const char *key, server_stream_fn fn, server_stream_free_fn free_fn,
                            void *cls);
/* Wakes every parked request and waiting stream under key: from a handler
 * or a stream callback (the server's thread). Never blocks. */
void server_wake(struct server *s, const char *key);

/* Sets resp to status with doc (steals; NULL: no body) as compact JSON. */
void server_response_json(struct server_response *resp, int status, json_t *doc);
/* Sets resp to status with {"error": "<message>"}. */
void server_response_error(struct server_response *resp, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets resp's ETag header to etag (copied; NULL clears it). */
void server_response_etag(struct server_response *resp, const char *etag);

/* True if the If-None-Match value header (NULL accepted: false) names etag:
 * "*", or one of a comma-separated list, weak ("W/") or strong. */
bool server_etag_matches(const char *header, const char *etag);

#endif
