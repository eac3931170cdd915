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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct server {
	struct MHD_Daemon *daemon;
	struct server_config cfg;
	uint16_t port;
};

/* One request's state between libmicrohttpd's calls. */
struct pending {
	struct buf body;
	bool too_large;
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

/* Matches path against pattern; on a match returns true and, when the
 * pattern has a {param}, sets *param to a new copy of its segment. */
static bool route_match(const char *pattern, const char *path, char **param)
{
	const char *p = pattern, *q = path;

	*param = NULL;
	while (*p != '\0' && *q != '\0') {
		size_t pn = strcspn(p, "/"), qn = strcspn(q, "/");

		if (pn > 2 && p[0] == '{' && p[pn - 1] == '}') {
			if (!param_valid(q, qn) || *param != NULL)
				goto no;
			*param = xstrndup(q, qn);
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
	free(*param);
	*param = NULL;
	return false;
}

static void dispatch(struct server *s, struct MHD_Connection *conn, const char *method,
                     const char *url, struct pending *pend, struct server_response *resp)
{
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
	bool path_known = false;

	if (pend->too_large) {
		server_response_error(resp, 413, "request body over %zu bytes", s->cfg.max_body);
		return;
	}
	for (size_t i = 0; i < s->cfg.n_routes; i++) {
		const struct server_route *r = &s->cfg.routes[i];
		struct server_request req;
		char *param;

		if (!route_match(r->pattern, url, &param))
			continue;
		path_known = true;
		if (strcmp(r->method, want) != 0) {
			free(param);
			continue;
		}
		req.method = want;
		req.path = url;
		req.param = param;
		req.token = bearer_token(MHD_lookup_connection_value(
		    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION));
		req.body = buf_str(&pend->body);
		req.body_len = pend->body.len;
		req.conn = conn;
		r->handler(s->cfg.ctx, &req, resp);
		free(param);
		if (resp->status == 0)
			server_response_error(resp, 500, "internal error");
		return;
	}
	if (path_known)
		server_response_error(resp, 405, "method %s not allowed on %s", method, url);
	else
		server_response_error(resp, 404, "no such resource");
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct server_response *r)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;

	if (r->body != NULL && r->status != 304) {
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
		*con_cls = xcalloc(1, sizeof *pend);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!pend->too_large && pend->body.len + *upload_data_size > s->cfg.max_body) {
			pend->too_large = true;
			buf_free(&pend->body);
		}
		if (!pend->too_large)
			buf_append(&pend->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	dispatch(s, conn, method, url, pend, &resp);
	log_info("%s %s %d %zu", method, url, resp.status, resp.body_len);
	ret = send_response(conn, &resp);
	free(resp.body);
	free(resp.etag);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct pending *pend = *con_cls;

	if (pend == NULL)
		return;
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
	unsigned int flags = MHD_USE_ERROR_LOG;
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
	if (s->cfg.max_body == 0)
		s->cfg.max_body = SERVER_DEFAULT_MAX_BODY;
	s->daemon = MHD_start_daemon(
	    flags, cfg->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	    s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_END);
	if (s->daemon == NULL) {
		snprintf(err, errlen, "cannot listen on %s port %u", address,
		         (unsigned int)cfg->port);
		free(s);
		return NULL;
	}
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
	if (s == NULL || *s == NULL)
		return;
	MHD_stop_daemon((*s)->daemon);
	log_info("stopped listening on port %u", (unsigned int)(*s)->port);
	free(*s);
	*s = NULL;
}
