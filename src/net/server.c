/* libmicrohttpd behind a route table. Every request is answered only once
 * its whole body is in (or thrown away for being too long), so a handler
 * sees a complete request and the client always reads a response. What is
 * logged is the method, the path and the status: never a header, never the
 * body, so never a token. */
#include "config.h"

#include "net/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* A suspended connection waiting for its key or its deadline. The list is
 * shared with the ticker thread, so it is only touched under s->lock; the
 * ticker does nothing but resume connections, which libmicrohttpd allows
 * from any thread. */
struct park {
	struct park *prev, *next;
	struct MHD_Connection *conn;
	char *key;
	int64_t deadline_ms;
	bool parked;
};

struct server {
	struct MHD_Daemon *daemon;
	struct server_config cfg;
	uint16_t port;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* the ticker's: the list or stopping changed */
	pthread_t ticker;
	bool ticker_running;
	bool stopping;
	struct park *parked; /* head */
};

/* One request's state between libmicrohttpd's calls. */
struct pending {
	struct buf body;
	size_t max_body; /* the server's, or a body limit's for this route */
	bool too_large;
	bool dispatched;
	int64_t since_ms;
	struct park park;
};

/* A streamed response: owned by the libmicrohttpd response. */
struct stream {
	struct server *server;
	struct MHD_Connection *conn;
	server_stream_fn fn;
	server_stream_free_fn free_fn;
	void *cls;
	struct buf out;
	size_t off;
	bool ended;
	struct park park;
};

static const char json_content_type[] = "application/json";

void server_response_json(struct server_response *resp, int status, json_t *doc)
{
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
	resp->status = status;
	resp->content_type = json_content_type;
	if (doc == NULL)
		return;
	resp->body = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
	if (resp->body == NULL)
		fatal("out of memory");
	resp->body_len = strlen(resp->body);
	json_decref(doc);
}

void server_response_error(struct server_response *resp, int status, const char *fmt, ...)
{
	char message[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	server_response_json(resp, status, json_pack("{s:s}", "error", message));
}

void server_response_etag(struct server_response *resp, const char *etag)
{
	free(resp->etag);
	resp->etag = etag != NULL ? xstrdup(etag) : NULL;
}

bool server_etag_matches(const char *header, const char *etag)
{
	const char *p = header;
	size_t n = etag != NULL ? strlen(etag) : 0;

	if (header == NULL || etag == NULL)
		return false;
	while (*p != '\0') {
		const char *start, *end;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end - start == 1 && *start == '*')
			return true;
		if (end - start > 2 && strncmp(start, "W/", 2) == 0)
			start += 2;
		if ((size_t)(end - start) == n && strncmp(start, etag, n) == 0)
			return true;
		/* a weak etag of ours matches its strong form */
		if (n > 2 && strncmp(etag, "W/", 2) == 0 && (size_t)(end - start) == n - 2 &&
		    strncmp(start, etag + 2, n - 2) == 0)
			return true;
	}
	return false;
}

const char *server_request_header(const struct server_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *server_request_arg(const struct server_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

int64_t server_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void server_response_wait(struct server_response *resp, const char *key, int64_t deadline_ms)
{
	free(resp->wait_key);
	resp->wait_key = xstrdup(key);
	resp->wait_deadline_ms = deadline_ms;
}

void server_response_stream(struct server_response *resp, int status, const char *content_type,
                            const char *key, server_stream_fn fn, server_stream_free_fn free_fn,
                            void *cls)
{
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
	resp->status = status;
	resp->content_type = content_type;
	free(resp->stream_key);
	resp->stream_key = xstrdup(key);
	resp->stream_fn = fn;
	resp->stream_free = free_fn;
	resp->stream_cls = cls;
}

/* ---- parking (callers hold s->lock) ---- */

static void park_unlink(struct server *s, struct park *p)
{
	if (!p->parked)
		return;
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		s->parked = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	p->prev = p->next = NULL;
	p->parked = false;
}

static void park_resume(struct server *s, struct park *p)
{
	park_unlink(s, p);
	MHD_resume_connection(p->conn);
}

/* Suspends conn under key until woken or deadline_ms; false (and nothing
 * done) while the server is stopping. Called on libmicrohttpd's thread. */
static bool park_add(struct server *s, struct park *p, struct MHD_Connection *conn, const char *key,
                     int64_t deadline_ms)
{
	bool ok;

	pthread_mutex_lock(&s->lock);
	ok = !s->stopping;
	if (ok) {
		if (p->key != key) {
			free(p->key);
			p->key = xstrdup(key);
		}
		p->conn = conn;
		p->deadline_ms = deadline_ms;
		p->prev = NULL;
		p->next = s->parked;
		if (s->parked != NULL)
			s->parked->prev = p;
		s->parked = p;
		p->parked = true;
		MHD_suspend_connection(conn);
		pthread_cond_signal(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static void park_drop(struct server *s, struct park *p)
{
	pthread_mutex_lock(&s->lock);
	park_unlink(s, p);
	pthread_mutex_unlock(&s->lock);
	free(p->key);
	p->key = NULL;
}

void server_wake(struct server *s, const char *key)
{
	struct park *p, *next;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	for (p = s->parked; p != NULL; p = next) {
		next = p->next;
		if (strcmp(p->key, key) == 0)
			park_resume(s, p);
	}
	pthread_mutex_unlock(&s->lock);
}

/* Resumes parked connections as their deadlines pass. */
static void *ticker_main(void *arg)
{
	struct server *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		int64_t now = server_now_ms(), next = INT64_MAX;
		struct park *p, *after;

		for (p = s->parked; p != NULL; p = after) {
			after = p->next;
			if (p->deadline_ms <= now)
				park_resume(s, p);
			else if (p->deadline_ms < next)
				next = p->deadline_ms;
		}
		if (next == INT64_MAX) {
			pthread_cond_wait(&s->cond, &s->lock);
		} else {
			struct timespec ts = { .tv_sec = (time_t)(next / 1000),
				               .tv_nsec = (long)(next % 1000) * 1000000 };

			pthread_cond_timedwait(&s->cond, &s->lock, &ts);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ---- streams ---- */

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;

	for (;;) {
		enum server_stream_status rc;
		int64_t now, deadline;

		if (st->off < st->out.len) {
			size_t n = st->out.len - st->off;

			if (n > max)
				n = max;
			memcpy(buf, st->out.data + st->off, n);
			st->off += n;
			return (ssize_t)n;
		}
		buf_reset(&st->out);
		st->off = 0;
		if (st->ended)
			return MHD_CONTENT_READER_END_OF_STREAM;
		now = server_now_ms();
		deadline = now + 15000;
		rc = st->fn(st->cls, &st->out, now, &deadline);
		if (rc == SERVER_STREAM_END)
			st->ended = true;
		if (st->out.len > 0 || st->ended)
			continue;
		if (!park_add(st->server, &st->park, st->conn, st->park.key, deadline))
			return MHD_CONTENT_READER_END_OF_STREAM;
		return 0;
	}
}

static void stream_free(void *cls)
{
	struct stream *st = cls;

	park_drop(st->server, &st->park);
	if (st->free_fn != NULL)
		st->free_fn(st->cls);
	buf_free(&st->out);
	free(st);
}

/* The token of "Bearer <token>" (scheme case-insensitive), borrowed from
 * value; NULL for any other form. */
static const char *bearer_token(const char *value)
{
	if (value == NULL || strncasecmp(value, "Bearer ", 7) != 0)
		return NULL;
	value += 7;
	while (*value == ' ')
		value++;
	return value;
}

static bool param_valid(const char *s, size_t n)
{
	if (n == 0 || n > SERVER_PARAM_MAX || (n == 1 && s[0] == '.') ||
	    (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	}
	return true;
}

/* Matches path against pattern; on a match returns true and sets
 * param[0..2] to new copies of its {param} segments (NULL where it has
 * fewer). */
static bool route_match(const char *pattern, const char *path, char *param[3])
{
	const char *p = pattern, *q = path;
	size_t n = 0;

	param[0] = param[1] = param[2] = NULL;
	while (*p != '\0' && *q != '\0') {
		size_t pn = strcspn(p, "/"), qn = strcspn(q, "/");

		if (pn > 2 && p[0] == '{' && p[pn - 1] == '}') {
			if (!param_valid(q, qn) || n == 3)
				goto no;
			param[n++] = xstrndup(q, qn);
		} else if (pn != qn || strncmp(p, q, pn) != 0) {
			goto no;
		}
		p += pn;
		q += qn;
		if ((*p == '/') != (*q == '/'))
			goto no;
		if (*p == '/') {
			p++;
			q++;
		}
	}
	if (*p == '\0' && *q == '\0')
		return true;
no:
	for (size_t i = 0; i < 3; i++) {
		free(param[i]);
		param[i] = NULL;
	}
	return false;
}

/* The largest body a request for method and url may send. */
static size_t body_limit(const struct server *s, const char *method, const char *url)
{
	for (size_t i = 0; i < s->cfg.n_body_limits; i++) {
		const struct server_body_limit *l = &s->cfg.body_limits[i];
		char *param[3];

		if (strcmp(l->method, method) != 0 || !route_match(l->pattern, url, param))
			continue;
		for (size_t j = 0; j < 3; j++)
			free(param[j]);
		return l->max_body;
	}
	return s->cfg.max_body;
}

static void dispatch(struct server *s, struct MHD_Connection *conn, const char *method,
                     const char *url, struct pending *pend, struct server_response *resp)
{
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
	bool path_known = false;

	if (pend->too_large) {
		server_response_error(resp, 413, "request body over %zu bytes", pend->max_body);
		return;
	}
	for (size_t i = 0; i < s->cfg.n_routes; i++) {
		const struct server_route *r = &s->cfg.routes[i];
		struct server_request req;
		char *param[3];

		if (!route_match(r->pattern, url, param))
			continue;
		path_known = true;
		if (strcmp(r->method, want) != 0) {
			free(param[0]);
			free(param[1]);
			free(param[2]);
			continue;
		}
		req.method = want;
		req.path = url;
		req.param = param[0];
		req.param2 = param[1];
		req.param3 = param[2];
		req.since_ms = pend->since_ms;
		req.token = bearer_token(MHD_lookup_connection_value(
		    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION));
		req.body = buf_str(&pend->body);
		req.body_len = pend->body.len;
		req.conn = conn;
		r->handler(s->cfg.ctx, &req, resp);
		free(param[0]);
		free(param[1]);
		free(param[2]);
		if (resp->status == 0 && resp->wait_key == NULL)
			server_response_error(resp, 500, "internal error");
		return;
	}
	if (path_known)
		server_response_error(resp, 405, "method %s not allowed on %s", method, url);
	else
		server_response_error(resp, 404, "no such resource");
}

static enum MHD_Result send_response(struct server *s, struct MHD_Connection *conn,
                                     struct server_response *r)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;

	if (r->stream_fn != NULL) {
		struct stream *st = xcalloc(1, sizeof *st);

		st->server = s;
		st->conn = conn;
		st->fn = r->stream_fn;
		st->free_fn = r->stream_free;
		st->cls = r->stream_cls;
		st->park.key = r->stream_key;
		r->stream_fn = NULL;
		r->stream_cls = NULL;
		r->stream_key = NULL;
		mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, stream_read, st,
		                                       stream_free);
		if (mr == NULL) {
			stream_free(st);
			return MHD_NO;
		}
		MHD_add_response_header(mr, "Cache-Control", "no-cache");
	} else if (r->body != NULL && r->status != 304) {
		mr = MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_MUST_FREE);
		r->body = NULL;
	} else {
		mr = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	}
	if (mr == NULL)
		return MHD_NO;
	if (r->content_type != NULL && r->status != 304)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	if (r->etag != NULL)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_ETAG, r->etag);
	ret = MHD_queue_response(conn, (unsigned int)r->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct server *s = cls;
	struct pending *pend = *con_cls;
	struct server_response resp = { 0 };
	enum MHD_Result ret;

	if (pend == NULL) {
		/* headers only: keep a place for the body */
		pend = xcalloc(1, sizeof *pend);
		pend->max_body = body_limit(s, method, url);
		*con_cls = pend;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!pend->too_large && *upload_data_size > pend->max_body - pend->body.len) {
			pend->too_large = true;
			buf_free(&pend->body);
		}
		if (!pend->too_large)
			buf_append(&pend->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!pend->dispatched) {
		pend->dispatched = true;
		pend->since_ms = server_now_ms();
	}
	dispatch(s, conn, method, url, pend, &resp);
	if (resp.wait_key != NULL) {
		bool parked = park_add(s, &pend->park, conn, resp.wait_key, resp.wait_deadline_ms);

		free(resp.wait_key);
		resp.wait_key = NULL;
		if (parked) {
			free(resp.body);
			free(resp.etag);
			if (resp.stream_free != NULL)
				resp.stream_free(resp.stream_cls);
			free(resp.stream_key);
			return MHD_YES;
		}
		server_response_error(&resp, 503, "the server is stopping");
	}
	log_info("%s %s %d %zu", method, url, resp.status, resp.body_len);
	ret = send_response(s, conn, &resp);
	free(resp.body);
	free(resp.etag);
	if (resp.stream_fn != NULL && resp.stream_free != NULL)
		resp.stream_free(resp.stream_cls); /* not taken */
	free(resp.stream_key);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct pending *pend = *con_cls;

	if (pend == NULL)
		return;
	park_drop(s, &pend->park);
	buf_free(&pend->body);
	free(pend);
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	vsnprintf(line, sizeof line, fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	log_warn("libmicrohttpd: %s", line);
}

struct server *server_start(const struct server_config *cfg, char *err, size_t errlen)
{
	const char *address = cfg->address != NULL ? cfg->address : "127.0.0.1";
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	unsigned int flags = MHD_USE_ERROR_LOG | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
	const union MHD_DaemonInfo *info;
	struct server *s;

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, address, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(cfg->port);
	} else if (inet_pton(AF_INET6, address, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(cfg->port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "bad listen address '%s' (a numeric IPv4 or IPv6 address)",
		         address);
		return NULL;
	}
	if (cfg->mode == SERVER_THREAD)
		flags |= MHD_USE_AUTO_INTERNAL_THREAD;

	s = xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	{
		pthread_condattr_t ca;

		pthread_mutex_init(&s->lock, NULL);
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&s->cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (s->cfg.max_body == 0)
		s->cfg.max_body = SERVER_DEFAULT_MAX_BODY;
	s->daemon = MHD_start_daemon(
	    flags, cfg->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	    s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_END);
	if (s->daemon == NULL) {
		snprintf(err, errlen, "cannot listen on %s port %u", address,
		         (unsigned int)cfg->port);
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	if (pthread_create(&s->ticker, NULL, ticker_main, s) != 0)
		fatal("cannot start the server's timer thread");
	s->ticker_running = true;
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info != NULL && info->port != 0 ? info->port : cfg->port;
	log_info("listening on %s port %u", address, (unsigned int)s->port);
	return s;
}

uint16_t server_port(const struct server *s)
{
	return s->port;
}

int server_run(struct server *s, int timeout_ms)
{
	fd_set rs, ws, es;
	MHD_socket max = 0;
	MHD_UNSIGNED_LONG_LONG mhd_timeout;
	struct timeval tv, *tvp = NULL;

	if (s->cfg.mode != SERVER_SELECT)
		return -1;
	FD_ZERO(&rs);
	FD_ZERO(&ws);
	FD_ZERO(&es);
	if (MHD_get_fdset(s->daemon, &rs, &ws, &es, &max) != MHD_YES)
		return -1;
	if (MHD_get_timeout(s->daemon, &mhd_timeout) == MHD_YES &&
	    (timeout_ms < 0 || mhd_timeout < (MHD_UNSIGNED_LONG_LONG)timeout_ms))
		timeout_ms = (int)mhd_timeout;
	if (timeout_ms >= 0) {
		tv.tv_sec = timeout_ms / 1000;
		tv.tv_usec = (timeout_ms % 1000) * 1000;
		tvp = &tv;
	}
	if (select(max + 1, &rs, &ws, &es, tvp) < 0 && errno != EINTR)
		return -1;
	return MHD_run_from_select(s->daemon, &rs, &ws, &es) == MHD_YES ? 0 : -1;
}

void server_stop(struct server **s)
{
	struct park *p;

	if (s == NULL || *s == NULL)
		return;
	/* parked requests and streams are resumed, and refuse to park again */
	pthread_mutex_lock(&(*s)->lock);
	(*s)->stopping = true;
	while ((p = (*s)->parked) != NULL)
		park_resume(*s, p);
	pthread_cond_signal(&(*s)->cond);
	pthread_mutex_unlock(&(*s)->lock);
	if ((*s)->ticker_running)
		pthread_join((*s)->ticker, NULL);
	MHD_stop_daemon((*s)->daemon);
	pthread_cond_destroy(&(*s)->cond);
	pthread_mutex_destroy(&(*s)->lock);
	log_info("stopped listening on port %u", (unsigned int)(*s)->port);
	free(*s);
	*s = NULL;
}
