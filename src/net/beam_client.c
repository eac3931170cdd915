/* The client side of a federated count (beam_client.h): a POST that starts
 * the task, then one result stream read as Server-Sent Events, each site
 * moved through its states as its results come. One deadline, start plus
 * the per-site timeout, bounds both requests (curl's own timeout on each
 * is the time left), so nothing here needs a timer of its own. Every
 * failure ends up as a site state and a final callback; no callback comes
 * after the call is over or freed. It must not log the token or the
 * payloads. */
#include "config.h"

#include "net/beam_client.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "core/beam.h"
#include "core/payload.h"
#include "net/sse.h"
#include "util/log.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#define DEFAULT_SITE_TIMEOUT_MS 10000L
#define MESSAGE_MAX             200 /* bytes of a hub's or site's message kept */

struct beam_call {
	struct http_multi *m; /* borrowed */
	beam_update_fn fn;
	void *arg;
	char id[UUID_TEXT_LEN + 1];
	char *hub;   /* without a trailing '/' */
	char *token; /* wiped when freed */
	char **sites;
	enum beam_site_state *state;
	size_t n_sites;
	size_t n_open; /* sites not in an end state */
	long site_timeout_ms;
	double start_ms;
	struct http_transfer *post; /* running, or NULL */
	struct http_transfer *get;  /* running, or NULL */
	struct sse_parser *sse;
	bool done;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static bool state_is_final(enum beam_site_state s)
{
	return s == BEAM_SITE_ANSWERED || s == BEAM_SITE_FAILED || s == BEAM_SITE_TIMED_OUT;
}

/* Makes s one line: control characters become spaces. */
static void one_line(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
	}
}

/* Moves site i to state and says so; nothing once it is final or already there. */
static void site_move(struct beam_call *c, size_t i, enum beam_site_state state,
                      const char *payload, size_t len, const char *error)
{
	struct beam_site_update u = {
		.site = i,
		.state = state,
		.payload = payload,
		.len = len,
		.error = error,
	};

	if (c->done || state_is_final(c->state[i]) || c->state[i] == state)
		return;
	c->state[i] = state;
	if (state_is_final(state))
		c->n_open--;
	u.ms = now_ms() - c->start_ms;
	c->fn(&u, c->arg);
}

/* Ends the call: every open site goes to state with error, then the final
 * callback with final_error (NULL: the call ran its course). */
static void call_finish(struct beam_call *c, enum beam_site_state state, const char *error,
                        const char *final_error)
{
	struct beam_site_update u = { .site = (size_t)-1, .error = final_error };

	if (c->done)
		return;
	for (size_t i = 0; i < c->n_sites; i++)
		site_move(c, i, state, NULL, 0, error);
	/* no callback of a transfer may reach the call after this */
	http_multi_cancel(c->m, c->post);
	http_multi_cancel(c->m, c->get);
	c->post = c->get = NULL;
	c->done = true;
	u.ms = now_ms() - c->start_ms;
	c->fn(&u, c->arg);
}

/* Every open site timed out: the deadline has passed. taken: whether the
 * hub took the search (else the call itself failed). */
static void call_time_out(struct beam_call *c, bool taken)
{
	char why[64], final[96];

	snprintf(why, sizeof why, "no answer within %g s", (double)c->site_timeout_ms / 1000.0);
	snprintf(final, sizeof final, "the hub did not take the search within %g s",
	         (double)c->site_timeout_ms / 1000.0);
	call_finish(c, BEAM_SITE_TIMED_OUT, why, taken ? NULL : final);
}

/* The time left before the deadline in whole ms, rounded up so that a
 * transfer does not time out early by our clock (0: none left). curl
 * counts by CLOCK_MONOTONIC_RAW, which may still differ by a few ms. */
static long time_left(const struct beam_call *c)
{
	double left = c->start_ms + (double)c->site_timeout_ms - now_ms();

	return left > 0 ? (long)ceil(left) : 0;
}

/* The hub's message of an error reply: its JSON "error", else its first
 * line, cut short and made one line. */
static void reply_message(const struct http_result *res, char *out, size_t outlen)
{
	json_t *doc = json_loadb(res->body, res->len, 0, NULL);
	const char *msg = json_string_value(json_object_get(doc, "error"));
	size_t n;

	if (msg == NULL)
		msg = res->body;
	n = strcspn(msg, "\r\n");
	snprintf(out, outlen, "%.*s", (int)(n > MESSAGE_MAX ? MESSAGE_MAX : n), msg);
	one_line(out);
	json_decref(doc);
}

static ssize_t site_index(const struct beam_call *c, const char *name)
{
	for (size_t i = 0; i < c->n_sites; i++) {
		if (strcmp(c->sites[i], name) == 0)
			return (ssize_t)i;
	}
	return -1;
}

/* A site's answer: ANSWERED when it is a payload a client can read, else
 * FAILED with the reason. */
static void site_answered(struct beam_call *c, size_t i, const struct beam_result *r)
{
	struct site_answer answer;
	char err[256] = "", why[320];

	if (payload_read_text(r->body, r->body_len, &answer, err, sizeof err) != 0) {
		snprintf(why, sizeof why, "the site's answer cannot be read: %s", err);
		one_line(why);
		site_move(c, i, BEAM_SITE_FAILED, NULL, 0, why);
		return;
	}
	site_answer_clear(&answer);
	site_move(c, i, BEAM_SITE_ANSWERED, r->body, r->body_len, NULL);
}

static void site_failed(struct beam_call *c, size_t i, const struct beam_result *r)
{
	char why[MESSAGE_MAX + 1];
	const char *text =
	    r->body != NULL && r->body[0] != '\0' ? r->body : beam_status_name(r->status);
	size_t n = strcspn(text, "\r\n");

	snprintf(why, sizeof why, "%.*s", (int)(n > MESSAGE_MAX ? MESSAGE_MAX : n), text);
	one_line(why);
	site_move(c, i, BEAM_SITE_FAILED, NULL, 0, why);
}

static void on_result(struct beam_call *c, const struct sse_event *ev)
{
	struct beam_result r;
	char err[256] = "";
	ssize_t i;

	if (beam_result_read(ev->data, ev->len, &r, err, sizeof err) != 0) {
		log_debug("search %s: a result event ignored: %s", c->id, err);
		return;
	}
	i = site_index(c, r.site);
	if (i < 0 || strcasecmp(r.task_id, c->id) != 0) {
		log_debug("search %s: a result for another site or task ignored", c->id);
	} else if (r.status == BEAM_CLAIMED) {
		if (c->state[i] == BEAM_SITE_PENDING)
			site_move(c, (size_t)i, BEAM_SITE_WORKING, NULL, 0, NULL);
	} else if (r.status == BEAM_SUCCEEDED) {
		site_answered(c, (size_t)i, &r);
	} else {
		site_failed(c, (size_t)i, &r);
	}
	beam_result_clear(&r);
	if (c->n_open == 0)
		call_finish(c, BEAM_SITE_FAILED, NULL, NULL);
}

static void on_event(const struct sse_event *ev, void *arg)
{
	struct beam_call *c = arg;

	if (c->done)
		return;
	if (strcmp(ev->type, "new_result") == 0)
		on_result(c, ev);
	else if (strcmp(ev->type, "wait_expired") == 0)
		call_finish(c, BEAM_SITE_TIMED_OUT, "the search expired at the hub", NULL);
}

static bool on_stream(const char *bytes, size_t len, void *arg)
{
	struct beam_call *c = arg;
	char why[160];

	if (sse_parser_feed(c->sse, bytes, len) != SSE_OK && !c->done) {
		snprintf(why, sizeof why, "lost the hub: %s", sse_parser_error(c->sse));
		c->get = NULL; /* stopped by returning false */
		call_finish(c, BEAM_SITE_FAILED, why, why);
	}
	if (c->done) {
		c->get = NULL;
		return false;
	}
	return true;
}

static void on_stream_done(const struct http_result *res, void *arg)
{
	struct beam_call *c = arg;
	char msg[MESSAGE_MAX + 1], why[MESSAGE_MAX + 64];

	c->get = NULL;
	if (res->error != NULL && strncmp(res->error, "timed out", 9) == 0) {
		call_time_out(c, true);
		return;
	}
	if (res->error != NULL) {
		snprintf(why, sizeof why, "lost the hub: %s", res->error);
	} else if (res->status < 200 || res->status >= 300) {
		reply_message(res, msg, sizeof msg);
		snprintf(why, sizeof why, "the hub refused the result stream: %ld %s", res->status,
		         msg);
	} else {
		snprintf(why, sizeof why, "lost the hub: the result stream ended early");
	}
	call_finish(c, BEAM_SITE_FAILED, why, why);
}

static void stream_start(struct beam_call *c)
{
	char *url = xasprintf("%s/backend/beam/%s?wait_count=%zu", c->hub, c->id, c->n_sites);
	struct http_request req = {
		.method = "GET",
		.url = url,
		.token = c->token,
		.accept = "text/event-stream",
		.timeout_ms = time_left(c),
	};
	char err[256] = "", why[320];

	if (req.timeout_ms == 0) {
		free(url);
		call_time_out(c, true);
		return;
	}
	c->get = http_multi_start(c->m, &req, on_stream, on_stream_done, c, err, sizeof err);
	free(url);
	if (c->get == NULL) {
		snprintf(why, sizeof why, "lost the hub: %s", err);
		call_finish(c, BEAM_SITE_FAILED, why, why);
	}
}

static void on_post_done(const struct http_result *res, void *arg)
{
	struct beam_call *c = arg;
	char msg[MESSAGE_MAX + 1], why[MESSAGE_MAX + 64];

	c->post = NULL;
	if (res->error != NULL && strncmp(res->error, "timed out", 9) == 0) {
		call_time_out(c, false);
	} else if (res->error != NULL) {
		call_finish(c, BEAM_SITE_FAILED, res->error, res->error);
	} else if (res->status != 201) {
		reply_message(res, msg, sizeof msg);
		snprintf(why, sizeof why, "the hub refused the search: %ld %s", res->status, msg);
		call_finish(c, BEAM_SITE_FAILED, why, why);
	} else {
		/* the sites are asked now */
		for (size_t i = 0; i < c->n_sites; i++) {
			struct beam_site_update u = {
				.site = i,
				.state = BEAM_SITE_PENDING,
				.ms = now_ms() - c->start_ms,
			};

			c->fn(&u, c->arg);
		}
		stream_start(c);
	}
}

static void call_free(struct beam_call *c)
{
	if (c->token != NULL) {
		explicit_bzero(c->token, strlen(c->token));
		free(c->token);
	}
	for (size_t i = 0; i < c->n_sites; i++)
		free(c->sites[i]);
	free(c->sites);
	free(c->state);
	free(c->hub);
	sse_parser_free(&c->sse);
	free(c);
}

/* Checks spec; 0, or -1 with err set. */
static int spec_check(const struct beam_call_spec *spec, char *err, size_t errlen)
{
	if (spec == NULL || spec->hub == NULL || spec->query == NULL) {
		snprintf(err, errlen, "no hub or no query to ask");
		return -1;
	}
	if (spec->sites == NULL || spec->n_sites == 0) {
		snprintf(err, errlen, "no sites to ask");
		return -1;
	}
	for (size_t i = 0; i < spec->n_sites; i++) {
		if (spec->sites[i] == NULL || spec->sites[i][0] == '\0') {
			snprintf(err, errlen, "site %zu has no name", i);
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(spec->sites[i], spec->sites[j]) == 0) {
				snprintf(err, errlen, "site %.100s is named twice", spec->sites[i]);
				return -1;
			}
		}
	}
	return 0;
}

struct beam_call *beam_call_start(struct http_multi *m, const struct beam_call_spec *spec,
                                  beam_update_fn fn, void *arg, char *err, size_t errlen)
{
	struct beam_call *c;
	struct http_request req = { .method = "POST" };
	char *body, *url;
	size_t len;

	if (spec_check(spec, err, errlen) != 0)
		return NULL;
	c = xcalloc(1, sizeof *c);
	c->m = m;
	c->fn = fn;
	c->arg = arg;
	c->start_ms = now_ms();
	c->site_timeout_ms =
	    spec->site_timeout_ms > 0 ? spec->site_timeout_ms : DEFAULT_SITE_TIMEOUT_MS;
	len = strlen(spec->hub);
	while (len > 0 && spec->hub[len - 1] == '/')
		len--;
	c->hub = xstrndup(spec->hub, len);
	c->token = spec->token != NULL ? xstrdup(spec->token) : NULL;
	c->n_sites = c->n_open = spec->n_sites;
	c->sites = xcalloc(c->n_sites, sizeof *c->sites);
	c->state = xcalloc(c->n_sites, sizeof *c->state);
	for (size_t i = 0; i < c->n_sites; i++) {
		c->sites[i] = xstrdup(spec->sites[i]);
		c->state[i] = BEAM_SITE_PENDING;
	}
	c->sse = sse_parser_new(0, 0, on_event, c);
	if (uuid_v4(c->id) != 0) {
		snprintf(err, errlen, "cannot make a task id");
		call_free(c);
		return NULL;
	}

	body = beam_search_build(c->id, c->sites, c->n_sites, spec->query);
	url = xasprintf("%s/backend/beam", c->hub);
	req.url = url;
	req.token = c->token;
	req.body = body;
	req.timeout_ms = c->site_timeout_ms;
	c->post = http_multi_start(m, &req, NULL, on_post_done, c, err, errlen);
	free(url);
	free(body);
	if (c->post == NULL) {
		call_free(c);
		return NULL;
	}
	return c;
}

bool beam_call_done(const struct beam_call *c)
{
	return c->done;
}

const char *beam_call_id(const struct beam_call *c)
{
	return c->id;
}

void beam_call_free(struct beam_call **cp)
{
	struct beam_call *c = cp != NULL ? *cp : NULL;

	if (c == NULL)
		return;
	http_multi_cancel(c->m, c->post);
	http_multi_cancel(c->m, c->get);
	call_free(c);
	*cp = NULL;
}
