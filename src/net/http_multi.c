/* The asynchronous HTTP of http_multi.h: one libcurl multi handle, a list
 * of transfers, and a wait that polls curl's sockets with the caller's own
 * descriptors. Callbacks may start and cancel transfers while libcurl is
 * inside curl_multi_perform(), where it refuses to add or remove handles,
 * so those are deferred: a transfer started there is added after perform
 * returns, and a cancelled or finished one is only marked dead and freed
 * once the outermost wait is over, so no callback ever finds a pointer it
 * holds freed. It must never log the token nor put it in an error. */
#include "config.h"

#include "net/http_multi.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "net/http_client.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#define DEFAULT_CONNECT_MS 5000L
#define KEEPALIVE_IDLE_S   30L /* a quiet stream's socket is probed after this */
#define KEEPALIVE_INTVL_S  15L

struct http_transfer {
	struct http_transfer *next;
	struct http_multi *m;
	CURL *easy;
	struct curl_slist *headers; /* one holds the token: wiped before freed */
	char *url;
	char *body;
	char *base; /* "scheme://host:port" for messages: no path, no user */
	http_data_fn data;
	http_done_fn done;
	void *arg;
	struct buf kept;
	size_t max_body;
	long timeout_ms;
	long connect_ms;
	char *etag;
	char errbuf[CURL_ERROR_SIZE];
	double start_ms;
	bool too_big;
	bool added; /* on the multi handle */
	bool dead;  /* ended, stopped or cancelled: no callback any more */
};

struct http_multi {
	CURLM *multi;
	struct http_transfer *transfers; /* every one not yet freed, dead ones too */
	size_t active;
	int depth;        /* http_multi_wait calls under way (callbacks run there) */
	bool in_perform;  /* inside curl_multi_perform: no handle may come or go */
	bool has_pending; /* a transfer waits to be added */
	bool has_dead;    /* a dead transfer waits to be freed */
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void transfer_free(struct http_transfer *t)
{
	if (t->easy != NULL) {
		if (t->added)
			curl_multi_remove_handle(t->m->multi, t->easy);
		curl_easy_cleanup(t->easy);
	}
	for (struct curl_slist *h = t->headers; h != NULL; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(t->headers);
	buf_free(&t->kept);
	free(t->url);
	free(t->body);
	free(t->base);
	free(t->etag);
	free(t);
}

/* Frees every dead transfer; only when no callback can hold one. */
static void reap(struct http_multi *m)
{
	struct http_transfer **pp = &m->transfers;

	if (!m->has_dead || m->depth > 0)
		return;
	while (*pp != NULL) {
		struct http_transfer *t = *pp;

		if (t->dead) {
			*pp = t->next;
			transfer_free(t);
		} else {
			pp = &t->next;
		}
	}
	m->has_dead = false;
}

static void transfer_finish(struct http_multi *m, struct http_transfer *t, CURLcode code);

/* Puts transfers started inside perform on the multi handle. */
static void add_pending(struct http_multi *m)
{
	if (!m->has_pending || m->in_perform)
		return;
	m->has_pending = false;
	for (struct http_transfer *t = m->transfers; t != NULL; t = t->next) {
		if (t->added || t->dead)
			continue;
		if (curl_multi_add_handle(m->multi, t->easy) == CURLM_OK) {
			t->added = true;
		} else {
			/* too late to refuse it in http_multi_start: say so in done */
			snprintf(t->errbuf, sizeof t->errbuf, "cannot start the transfer");
			transfer_finish(m, t, CURLE_FAILED_INIT);
		}
	}
}

/* Marks t ended: no callback from now on, freed when safe. */
static void transfer_end(struct http_multi *m, struct http_transfer *t)
{
	if (t->dead)
		return;
	t->dead = true;
	m->active--;
	m->has_dead = true;
}

struct http_multi *http_multi_new(void)
{
	struct http_multi *m = xcalloc(1, sizeof *m);

	m->multi = curl_multi_init();
	if (m->multi == NULL)
		fatal("cannot set up libcurl's multi handle");
	return m;
}

void http_multi_free(struct http_multi **mp)
{
	struct http_multi *m = mp != NULL ? *mp : NULL;
	struct http_transfer *t, *next;

	if (m == NULL)
		return;
	for (t = m->transfers; t != NULL; t = next) {
		next = t->next;
		transfer_free(t);
	}
	curl_multi_cleanup(m->multi);
	free(m);
	*mp = NULL;
}

size_t http_multi_active(const struct http_multi *m)
{
	return m->active;
}

static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
	struct http_transfer *t = userdata;
	size_t len = size * n;
	const char *v, *end = data + len;

	if (t->dead)
		return 0;
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* a new response (after a 100 Continue, say): its own headers */
		free(t->etag);
		t->etag = NULL;
		return len;
	}
	if (len <= 5 || strncasecmp(data, "ETag:", 5) != 0)
		return len;
	v = data + 5;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	free(t->etag);
	t->etag = xstrndup(v, (size_t)(end - v));
	return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
	struct http_transfer *t = userdata;
	size_t len = size * n;
	long status = 0;

	if (t->dead)
		return 0; /* cancelled from another callback: curl aborts it */
	if (t->data != NULL) {
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300) {
			if (!t->data(data, len, t->arg))
				transfer_end(t->m, t);
			return t->dead ? 0 : len;
		}
	}
	if (len > t->max_body - t->kept.len) {
		t->too_big = true;
		return 0;
	}
	buf_append(&t->kept, data, len);
	return len;
}

/* Sets t->base to the URL's scheme, host and port, for messages. Returns
 * 0, or -1 when curl cannot read url as an http(s) URL. */
static int set_base(struct http_transfer *t, const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = -1;

	if (u == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
		goto out;
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	t->base = port != NULL ? xasprintf("%s://%s:%s", scheme, host, port)
	                       : xasprintf("%s://%s", scheme, host);
	rc = 0;
out:
	curl_free(port);
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}

static void set_options(struct http_transfer *t, const struct http_request *req)
{
	CURL *e = t->easy;
	char *line;

	curl_easy_setopt(e, CURLOPT_URL, t->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, t->connect_ms);
	if (t->timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, t->timeout_ms);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, KEEPALIVE_IDLE_S);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, KEEPALIVE_INTVL_S);
	curl_easy_setopt(e, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);

	if (strcmp(req->method, "GET") == 0 && t->body == NULL) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else {
		/* POSTFIELDS makes it a POST; CUSTOMREQUEST renames it */
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body != NULL ? t->body : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		                 (curl_off_t)(t->body != NULL ? strlen(t->body) : 0));
		if (strcmp(req->method, "POST") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	}

	if (req->token != NULL) {
		line = xasprintf("Authorization: Bearer %s", req->token);
		t->headers = curl_slist_append(t->headers, line);
		explicit_bzero(line, strlen(line));
		free(line);
	}
	line = xasprintf("Accept: %s", req->accept != NULL ? req->accept : "application/json");
	t->headers = curl_slist_append(t->headers, line);
	free(line);
	if (req->if_none_match != NULL) {
		line = xasprintf("If-None-Match: %s", req->if_none_match);
		t->headers = curl_slist_append(t->headers, line);
		free(line);
	}
	if (req->idempotency_key != NULL) {
		line = xasprintf("Idempotency-Key: %s", req->idempotency_key);
		t->headers = curl_slist_append(t->headers, line);
		free(line);
	}
	if (t->body != NULL)
		t->headers = curl_slist_append(t->headers, "Content-Type: application/json");
	t->headers = curl_slist_append(t->headers, "Expect:");
	if (t->headers == NULL)
		fatal("out of memory for HTTP headers");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
}

/* Whether s is a header value that cannot split the request. */
static bool header_safe(const char *s)
{
	return s == NULL || s[strcspn(s, "\r\n")] == '\0';
}

struct http_transfer *http_multi_start(struct http_multi *m, const struct http_request *req,
                                       http_data_fn data, http_done_fn done, void *arg, char *err,
                                       size_t errlen)
{
	struct http_transfer *t;

	if (req == NULL || req->method == NULL || req->url == NULL) {
		snprintf(err, errlen, "no method or URL to ask");
		return NULL;
	}
	if (!header_safe(req->token) || !header_safe(req->accept) ||
	    !header_safe(req->if_none_match) || !header_safe(req->idempotency_key) ||
	    !header_safe(req->method)) {
		snprintf(err, errlen, "a request header holds a line break");
		return NULL;
	}
	t = xcalloc(1, sizeof *t);
	t->m = m;
	if (set_base(t, req->url) != 0) {
		snprintf(err, errlen, "not an http(s) URL: %.200s", req->url);
		transfer_free(t);
		return NULL;
	}
	t->easy = curl_easy_init();
	if (t->easy == NULL) {
		snprintf(err, errlen, "cannot set up libcurl");
		transfer_free(t);
		return NULL;
	}
	t->url = xstrdup(req->url);
	t->body = req->body != NULL ? xstrdup(req->body) : NULL;
	t->data = data;
	t->done = done;
	t->arg = arg;
	t->max_body = req->max_body > 0 ? req->max_body : HTTP_CLIENT_DEFAULT_MAX_BODY;
	t->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : 0;
	t->connect_ms = req->connect_ms > 0 ? req->connect_ms : DEFAULT_CONNECT_MS;
	set_options(t, req);
	t->start_ms = now_ms();

	if (!m->in_perform) {
		if (curl_multi_add_handle(m->multi, t->easy) != CURLM_OK) {
			snprintf(err, errlen, "cannot start a transfer to %s", t->base);
			transfer_free(t);
			return NULL;
		}
		t->added = true;
	} else {
		m->has_pending = true;
	}
	t->next = m->transfers;
	m->transfers = t;
	m->active++;
	return t;
}

void http_multi_cancel(struct http_multi *m, struct http_transfer *t)
{
	if (t == NULL)
		return;
	transfer_end(m, t);
	reap(m);
}

/* One line saying why t failed with code, into out. */
static void describe_error(const struct http_transfer *t, CURLcode code, double elapsed_ms,
                           char *out, size_t outlen)
{
	const char *detail = t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(code);

	switch (code) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(out, outlen, "cannot reach %s: %s", t->base, curl_easy_strerror(code));
		break;
	case CURLE_OPERATION_TIMEDOUT:
		/* curl counts from a little after start: the whole-transfer
		 * limit has passed by then, a connect timeout is sooner */
		if (t->timeout_ms > 0 && elapsed_ms + 1 >= (double)t->timeout_ms)
			snprintf(out, outlen, "timed out after %ld ms", t->timeout_ms);
		else
			snprintf(out, outlen, "cannot reach %s: no connection within %ld ms",
			         t->base, t->connect_ms);
		break;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		snprintf(out, outlen, "connection lost: %s", detail);
		break;
	default:
		snprintf(out, outlen, "%s: %s", t->base, detail);
		break;
	}
	for (char *p = out; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
}

/* Calls t's done callback for curl's result code. */
static void transfer_finish(struct http_multi *m, struct http_transfer *t, CURLcode code)
{
	struct http_result res = { 0 };
	char error[CURL_ERROR_SIZE + 256];
	bool streamed;

	if (t->dead)
		return;
	transfer_end(m, t); /* a cancel from inside done is then a no-op */
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &res.status);
	streamed = t->data != NULL && res.status >= 200 && res.status < 300;
	res.body = streamed ? "" : buf_str(&t->kept);
	res.len = streamed ? 0 : t->kept.len;
	res.etag = t->etag;
	if (curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &res.content_type) != CURLE_OK)
		res.content_type = NULL;
	res.ms = now_ms() - t->start_ms;
	if (t->too_big) {
		snprintf(error, sizeof error, "reply larger than %zu bytes", t->max_body);
		res.error = error;
	} else if (code != CURLE_OK) {
		describe_error(t, code, res.ms, error, sizeof error);
		res.error = error;
	}
	if (t->done != NULL)
		t->done(&res, t->arg);
}

/* Reads curl's finished transfers and calls back for each. The messages
 * are collected first: a callback may cancel a transfer whose message
 * comes later, which is then skipped, since nothing is freed meanwhile. */
static void finish_transfers(struct http_multi *m)
{
	struct http_transfer **ended = NULL;
	CURLcode *codes = NULL;
	size_t n = 0, cap = 0;
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
		struct http_transfer *t;
		char *priv = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		if (priv == NULL)
			continue;
		t = (struct http_transfer *)(void *)priv;
		if (n == cap) {
			cap = cap > 0 ? 2 * cap : 8;
			ended = xreallocarray(ended, cap, sizeof *ended);
			codes = xreallocarray(codes, cap, sizeof *codes);
		}
		ended[n] = t;
		codes[n] = msg->data.result;
		n++;
	}
	for (size_t i = 0; i < n; i++)
		transfer_finish(m, ended[i], codes[i]);
	free(ended);
	free(codes);
}

static short to_curl_events(short events)
{
	short e = 0;

	if (events & POLLIN)
		e |= CURL_WAIT_POLLIN;
	if (events & POLLPRI)
		e |= CURL_WAIT_POLLPRI;
	if (events & POLLOUT)
		e |= CURL_WAIT_POLLOUT;
	return e;
}

static short from_curl_events(short revents)
{
	short e = 0;

	if (revents & CURL_WAIT_POLLIN)
		e |= POLLIN;
	if (revents & CURL_WAIT_POLLPRI)
		e |= POLLPRI;
	if (revents & CURL_WAIT_POLLOUT)
		e |= POLLOUT;
	return e;
}

/* Sets extra's revents after curl's wait. curl reports only in, pri and
 * out; a hang-up or an error on the tty or a pipe would wake every wait
 * and never be seen, so a poll() that does not wait adds the rest. */
static int collect_revents(struct pollfd *extra, size_t n, const struct curl_waitfd *wfds,
                           const size_t *index, size_t nw)
{
	int ready = 0;

	for (size_t i = 0; i < n; i++)
		extra[i].revents = 0;
	for (size_t i = 0; i < nw; i++)
		extra[index[i]].revents = from_curl_events(wfds[i].revents);
	for (size_t i = 0; i < nw; i++) {
		struct pollfd p = { .fd = extra[index[i]].fd, .events = extra[index[i]].events };

		if (poll(&p, 1, 0) > 0)
			extra[index[i]].revents |= p.revents;
	}
	for (size_t i = 0; i < n; i++)
		ready += extra[i].revents != 0;
	return ready;
}

int http_multi_wait(struct http_multi *m, struct pollfd *extra, size_t n, int timeout_ms)
{
	struct curl_waitfd *wfds = NULL;
	size_t *index = NULL, nw = 0;
	int running = 0, ready = 0, rc = -1;
	CURLMcode mc;

	if (n > 0) {
		wfds = xcalloc(n, sizeof *wfds);
		index = xcalloc(n, sizeof *index);
		for (size_t i = 0; i < n; i++) {
			if (extra[i].fd < 0)
				continue;
			wfds[nw].fd = extra[i].fd;
			wfds[nw].events = to_curl_events(extra[i].events);
			index[nw++] = i;
		}
	}
	m->depth++;
	add_pending(m);
	mc = curl_multi_poll(m->multi, wfds, (unsigned int)nw,
	                     timeout_ms < 0 ? INT_MAX : timeout_ms, NULL);
	if (mc != CURLM_OK)
		goto out;
	if (n > 0)
		ready = collect_revents(extra, n, wfds, index, nw);
	m->in_perform = true;
	mc = curl_multi_perform(m->multi, &running);
	m->in_perform = false;
	if (mc != CURLM_OK)
		goto out;
	add_pending(m);
	finish_transfers(m);
	add_pending(m);
	rc = ready;
out:
	m->in_perform = false;
	m->depth--;
	reap(m);
	free(wfds);
	free(index);
	return rc;
}
