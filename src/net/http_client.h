/* A small blocking HTTP client over libcurl for daemons (ecii-node): one
 * request at a time against one base URL, with a bearer token, a JSON body,
 * timeouts, a cap on the response body and a stop flag checked while it
 * waits, so a long poll ends within a fraction of a second of a stop. It
 * runs curl's multi handle itself; it is not for the TUI's event loop. It
 * must never log or print the token. The program calls
 * http_client_global_init() once before the first client is made. */
#ifndef ECII_NET_HTTP_CLIENT_H
#define ECII_NET_HTTP_CLIENT_H

#include <stdatomic.h>
#include <stddef.h>

#include "util/buf.h"

/* A response body longer than this (when the caller gives 0) is refused. */
#define HTTP_CLIENT_DEFAULT_MAX_BODY (4 * 1024 * 1024)

struct http_client;

/* libcurl's process-wide set-up and tear-down, once per program, before
 * any thread is started. Returns 0, or -1 when libcurl cannot start. */
int http_client_global_init(void);
void http_client_global_cleanup(void);

/* A response: the HTTP status and the body (owned; NUL-terminated). */
struct http_reply {
	long status;
	struct buf body;
};

/* Makes a client for base_url ("http://host:port", a trailing '/' allowed)
 * with token (NULL: no Authorization header); both copied. connect_ms is
 * the connect timeout (0: 5000). stop (borrowed, may be NULL) is read while
 * a request waits: once true the request is abandoned. Returns new, or
 * NULL with err set when curl cannot be set up. */
struct http_client *http_client_new(const char *base_url, const char *token, long connect_ms,
                                    const atomic_bool *stop, char *err, size_t errlen);
/* Frees *c (NULL accepted; the token is wiped) and clears it. */
void http_client_free(struct http_client **c);
/* The base URL without a trailing '/', borrowed. */
const char *http_client_base(const struct http_client *c);

/* Sends method ("GET", "PUT", "POST") to base_url + path with json_body
 * (NULL: no body; else sent as application/json) and waits up to
 * timeout_ms for the whole response, keeping at most max_body bytes (0:
 * the default). Returns 0 with *reply filled (any HTTP status) and owned
 * by the caller (http_reply_clear); or -1 with *reply empty and one line
 * in err: "cannot reach http://h:p: Couldn't connect to server", "GET
 * /path: timed out", "stopped". The token never reaches err. */
int http_client_request(struct http_client *c, const char *method, const char *path,
                        const char *json_body, long timeout_ms, size_t max_body,
                        struct http_reply *reply, char *err, size_t errlen);
/* What http_client_send sends beside the method and path; every pointer
 * borrowed. */
struct http_send {
	const void *body; /* NULL: no body */
	size_t body_len;
	const char *content_type;  /* the body's; NULL: application/json */
	const char *if_none_match; /* an ETag for If-None-Match; NULL: none */
};
/* As http_client_request, with a body of any bytes and type (send may be
 * NULL: no body); "HEAD" asks for the headers only. Header values with a
 * line break are refused (-1). */
int http_client_send(struct http_client *c, const char *method, const char *path,
                     const struct http_send *send, long timeout_ms, size_t max_body,
                     struct http_reply *reply, char *err, size_t errlen);
/* Frees what r holds and zeroes it; NULL accepted. */
void http_reply_clear(struct http_reply *r);
/* The "error" member of a JSON error body, or the body's first line when
 * it has none, cut to fit into out (outlen bytes); "" for no body. */
void http_reply_message(const struct http_reply *r, char *out, size_t outlen);

#endif
