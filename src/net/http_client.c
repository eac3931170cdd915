/* The blocking HTTP client of http_client.h. A request runs on curl's
 * multi handle, polled in short slices so the stop flag is seen promptly;
 * the easy handle is kept between requests to reuse the connection. */
#include "config.h"

#include "net/http_client.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "util/xmalloc.h"

#define POLL_SLICE_MS 100 /* how long one wait may keep the stop flag unread */

struct http_client {
	char *base;
	char *auth; /* "Authorization: Bearer <token>", or NULL */
	long connect_ms;
	const atomic_bool *stop;
	CURL *easy;
	CURLM *multi;
};

/* What the write callback fills. */
struct sink {
	struct buf *body;
	size_t max;
	bool too_big;
};

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
	struct sink *s = userdata;
	size_t total = size * n;

	if (total > s->max - s->body->len) {
		s->too_big = true;
		return 0; /* aborts the transfer */
	}
	buf_append(s->body, data, total);
	return total;
}

int http_client_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void http_client_global_cleanup(void)
{
	curl_global_cleanup();
}

struct http_client *http_client_new(const char *base_url, const char *token, long connect_ms,
                                    const atomic_bool *stop, char *err, size_t errlen)
{
	struct http_client *c = xcalloc(1, sizeof *c);
	size_t len = strlen(base_url);

	while (len > 0 && base_url[len - 1] == '/')
		len--;
	c->base = xstrndup(base_url, len);
	if (token != NULL)
		c->auth = xasprintf("Authorization: Bearer %s", token);
	c->connect_ms = connect_ms > 0 ? connect_ms : 5000;
	c->stop = stop;
	c->easy = curl_easy_init();
	c->multi = curl_multi_init();
	if (c->easy == NULL || c->multi == NULL) {
		snprintf(err, errlen, "cannot set up libcurl");
		http_client_free(&c);
	}
	return c;
}

void http_client_free(struct http_client **cp)
{
	struct http_client *c = cp != NULL ? *cp : NULL;

	if (c == NULL)
		return;
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	if (c->easy != NULL)
		curl_easy_cleanup(c->easy);
	if (c->auth != NULL) {
		explicit_bzero(c->auth, strlen(c->auth));
		free(c->auth);
	}
	free(c->base);
	free(c);
	*cp = NULL;
}

const char *http_client_base(const struct http_client *c)
{
	return c->base;
}

void http_reply_clear(struct http_reply *r)
{
	if (r == NULL)
		return;
	buf_free(&r->body);
	memset(r, 0, sizeof *r);
}

static bool stopped(const struct http_client *c)
{
	return c->stop != NULL && atomic_load(c->stop);
}

/* Runs the easy handle on the multi one until it is done or stopped.
 * Returns the transfer's result, or -1 when stopped. */
static int run_transfer(struct http_client *c, CURLcode *result)
{
	int running = 1, rc = 0;

	if (curl_multi_add_handle(c->multi, c->easy) != CURLM_OK) {
		*result = CURLE_FAILED_INIT;
		return 0;
	}
	*result = CURLE_OK;
	while (running > 0) {
		if (stopped(c)) {
			rc = -1;
			break;
		}
		if (curl_multi_perform(c->multi, &running) != CURLM_OK) {
			*result = CURLE_FAILED_INIT;
			break;
		}
		if (running > 0 &&
		    curl_multi_poll(c->multi, NULL, 0, POLL_SLICE_MS, NULL) != CURLM_OK) {
			*result = CURLE_FAILED_INIT;
			break;
		}
	}
	if (rc == 0 && running == 0) {
		CURLMsg *msg;
		int left;

		while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == c->easy)
				*result = msg->data.result;
		}
	}
	curl_multi_remove_handle(c->multi, c->easy);
	return rc;
}

int http_client_request(struct http_client *c, const char *method, const char *path,
                        const char *json_body, long timeout_ms, size_t max_body,
                        struct http_reply *reply, char *err, size_t errlen)
{
	struct http_send send = { json_body, json_body != NULL ? strlen(json_body) : 0, NULL,
		                  NULL };

	return http_client_send(c, method, path, &send, timeout_ms, max_body, reply, err, errlen);
}

static bool header_safe(const char *s)
{
	return s == NULL || strpbrk(s, "\r\n") == NULL;
}

int http_client_send(struct http_client *c, const char *method, const char *path,
                     const struct http_send *send, long timeout_ms, size_t max_body,
                     struct http_reply *reply, char *err, size_t errlen)
{
	static const struct http_send none = { NULL, 0, NULL, NULL };
	struct curl_slist *headers = NULL;
	struct sink sink = { &reply->body, max_body > 0 ? max_body : HTTP_CLIENT_DEFAULT_MAX_BODY,
		             false };
	char *url, *line;
	CURLcode result;
	int rc = -1;

	memset(reply, 0, sizeof *reply);
	if (send == NULL)
		send = &none;
	if (!header_safe(send->content_type) || !header_safe(send->if_none_match)) {
		snprintf(err, errlen, "%s %s: a header holds a line break", method, path);
		return -1;
	}
	url = xasprintf("%s%s", c->base, path);
	curl_easy_reset(c->easy);
	curl_easy_setopt(c->easy, CURLOPT_URL, url);
	curl_easy_setopt(c->easy, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms);
	curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 30000L);
	curl_easy_setopt(c->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c->easy, CURLOPT_USERAGENT, PACKAGE_NAME "-node/" PACKAGE_VERSION);
	if (strcmp(method, "GET") == 0)
		curl_easy_setopt(c->easy, CURLOPT_HTTPGET, 1L);
	else if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c->easy, CURLOPT_NOBODY, 1L);
	if (c->auth != NULL)
		headers = curl_slist_append(headers, c->auth);
	headers = curl_slist_append(headers, "Accept: application/json");
	if (send->if_none_match != NULL) {
		line = xasprintf("If-None-Match: %s", send->if_none_match);
		headers = curl_slist_append(headers, line);
		free(line);
	}
	if (send->body != NULL) {
		line =
		    xasprintf("Content-Type: %s",
		              send->content_type != NULL ? send->content_type : "application/json");
		headers = curl_slist_append(headers, line);
		free(line);
		headers = curl_slist_append(headers, "Expect:");
		/* the body is not copied: it outlives the transfer */
		curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)send->body_len);
		curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, send->body);
	}
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, headers);

	if (run_transfer(c, &result) != 0) {
		snprintf(err, errlen, "%s %s: stopped", method, path);
	} else if (sink.too_big) {
		snprintf(err, errlen, "%s %s: response longer than %zu bytes", method, path,
		         sink.max);
	} else if (result == CURLE_COULDNT_CONNECT || result == CURLE_COULDNT_RESOLVE_HOST) {
		snprintf(err, errlen, "cannot reach %s: %s", c->base, curl_easy_strerror(result));
	} else if (result == CURLE_OPERATION_TIMEDOUT) {
		snprintf(err, errlen, "%s %s: timed out", method, path);
	} else if (result != CURLE_OK) {
		snprintf(err, errlen, "%s %s%s: %s", method, c->base, path,
		         curl_easy_strerror(result));
	} else {
		curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &reply->status);
		rc = 0;
	}
	/* the header list holds the token: drop it from the handle before freeing */
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	free(url);
	if (rc != 0)
		http_reply_clear(reply);
	return rc;
}

void http_reply_message(const struct http_reply *r, char *out, size_t outlen)
{
	const char *text = buf_str(&r->body), *msg;
	json_t *doc = json_loadb(text, r->body.len, 0, NULL);
	size_t n;

	msg = json_string_value(json_object_get(doc, "error"));
	if (msg != NULL) {
		snprintf(out, outlen, "%s", msg);
	} else {
		n = strcspn(text, "\r\n");
		snprintf(out, outlen, "%.*s", (int)(n > 200 ? 200 : n), text);
	}
	json_decref(doc);
}
