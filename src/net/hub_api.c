/* JSON calls to the hub over http_multi. */
#include "config.h"

#include "net/hub_api.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xmalloc.h"

struct call {
	hub_api_fn fn;
	void *arg;
};

/* The reply of res, made for a callback. */
static void reply_from(const struct http_result *res, struct hub_reply *r)
{
	const char *message;

	memset(r, 0, sizeof *r);
	r->status = res->status;
	if (res->error != NULL) {
		r->error = xstrdup(res->error);
		return;
	}
	r->doc = res->len > 0 ? json_loadb(res->body, res->len, 0, NULL) : NULL;
	if (r->status >= 200 && r->status < 300)
		return;
	message = json_string_value(json_object_get(r->doc, "error"));
	if (message != NULL)
		r->error = xasprintf("%ld %s", r->status, message);
	else
		r->error =
		    xasprintf("%ld %.*s", r->status, (int)strcspn(res->body, "\r\n"), res->body);
}

static void done(const struct http_result *res, void *arg)
{
	struct call *c = arg;
	struct hub_reply r;

	reply_from(res, &r);
	if (c->fn != NULL)
		c->fn(&r, c->arg);
	hub_reply_clear(&r);
	free(c);
}

struct http_transfer *hub_api_start(const struct hub_api *a, const char *method, const char *path,
                                    json_t *body, const char *idempotency_key, hub_api_fn fn,
                                    void *arg, char *err, size_t errlen)
{
	char *url = xasprintf("%s%s", a->hub, path);
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	struct call *c = xcalloc(1, sizeof *c);
	struct http_request req = {
		.method = method,
		.url = url,
		.token = a->token,
		.body = text,
		.idempotency_key = idempotency_key,
		.timeout_ms = HUB_API_TIMEOUT_MS,
	};
	struct http_transfer *t;

	c->fn = fn;
	c->arg = arg;
	t = http_multi_start(a->net, &req, NULL, done, c, err, errlen);
	if (t == NULL)
		free(c);
	free(text);
	free(url);
	return t;
}

/* For hub_api_call: the reply, kept. */
struct waiter {
	bool done;
	struct hub_reply *out;
};

static void keep(const struct hub_reply *r, void *arg)
{
	struct waiter *w = arg;

	w->done = true;
	w->out->status = r->status;
	w->out->doc = json_incref(r->doc);
	w->out->error = r->error != NULL ? xstrdup(r->error) : NULL;
}

int hub_api_call(const struct hub_api *a, const char *method, const char *path, json_t *body,
                 const char *idempotency_key, struct hub_reply *out)
{
	struct waiter w = { false, out };
	char err[256];

	memset(out, 0, sizeof *out);
	if (hub_api_start(a, method, path, body, idempotency_key, keep, &w, err, sizeof err) ==
	    NULL) {
		out->error = xstrdup(err);
		return -1;
	}
	while (!w.done)
		if (http_multi_wait(a->net, NULL, 0, -1) < 0 && !w.done) {
			out->error = xstrdup("cannot wait for the hub");
			return -1;
		}
	return out->error == NULL ? 0 : -1;
}

void hub_reply_clear(struct hub_reply *r)
{
	if (r == NULL)
		return;
	json_decref(r->doc);
	free(r->error);
	memset(r, 0, sizeof *r);
}

char *hub_api_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL) {
			buf_putc(&b, (char)*p);
		} else {
			buf_putc(&b, '%');
			buf_putc(&b, hex[*p >> 4]);
			buf_putc(&b, hex[*p & 15]);
		}
	}
	return buf_steal(&b);
}
