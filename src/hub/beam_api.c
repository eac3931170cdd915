/* The hub's search broker (PROTOCOL.md §3, §4): a researcher starts a
 * search, sites long-poll for their tasks and put their results, and the
 * researcher reads them as Server-Sent Events. Tasks live in memory only,
 * for their ttl, and are freed when it ends; nothing here blocks a thread:
 * a waiting poll is parked and a quiet stream suspended by the server glue,
 * both woken by key ("tasks:<site>", "task:<id>") or deadline. Every
 * handler runs on the server's one thread, so the task list needs no lock.
 * It must not read the site payloads it passes on. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "core/beam.h"
#include "core/query.h"
#include "hub/hub.h"
#include "net/server.h"
#include "net/sse.h"
#include "store/hub_store.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#define BEAM_MAX_WAIT_S   30    /* the longest a site's poll is held */
#define BEAM_KEEPALIVE_MS 15000 /* a comment line this often on a quiet stream */
/* A task every site has answered is kept this long more (for a result
 * stream opened late), not its whole lifetime: finished tasks must not
 * fill the table of tasks alive. */
#define BEAM_DONE_KEEP_MS 60000

enum answer {
	ANSWER_NONE,
	ANSWER_CLAIMED,
	ANSWER_FINAL,
};

struct beam_task {
	struct beam_task *next;
	char id[UUID_TEXT_LEN + 1];
	char *user;
	char **sites;
	size_t n_sites;
	unsigned char *answers; /* enum answer, per site */
	char *query;            /* the outer query text, as sites get it */
	int64_t created;        /* epoch seconds */
	int64_t expires_ms;     /* server_now_ms() clock */
	char **events;          /* result events, in arrival order: at most 2 per site */
	bool *finals;           /* whether events[i] is not a claim */
	size_t n_events;
};

/* The second a site's last_seen was last written, see touch_site(). */
struct site_seen {
	char *site;
	int64_t at;
};

struct hub_beam {
	struct beam_task *tasks; /* oldest first */
	size_t n_tasks;
	struct site_seen *seen; /* one per site that has polled or answered */
	size_t n_seen;
};

/* One researcher's result stream; it holds the task id, not the task,
 * since the task may be freed under it. */
struct beam_watch {
	struct hub *hub;
	char id[UUID_TEXT_LEN + 1];
	size_t sent;       /* events written */
	size_t finals;     /* of which not claims */
	size_t wait_count; /* finals after which the stream ends */
	int64_t last_write_ms;
};

static void task_free(struct beam_task *t)
{
	for (size_t i = 0; i < t->n_sites; i++)
		free(t->sites[i]);
	for (size_t i = 0; i < t->n_events; i++)
		free(t->events[i]);
	free(t->sites);
	free(t->answers);
	free(t->events);
	free(t->finals);
	free(t->query);
	free(t->user);
	free(t);
}

struct hub_beam *hub_beam_new(void)
{
	return xcalloc(1, sizeof(struct hub_beam));
}

void hub_beam_free(struct hub_beam **b)
{
	struct beam_task *t, *next;

	if (b == NULL || *b == NULL)
		return;
	for (t = (*b)->tasks; t != NULL; t = next) {
		next = t->next;
		task_free(t);
	}
	for (size_t i = 0; i < (*b)->n_seen; i++)
		free((*b)->seen[i].site);
	free((*b)->seen);
	free(*b);
	*b = NULL;
}

size_t hub_beam_n_tasks(const struct hub_beam *b)
{
	return b->n_tasks;
}

static int64_t task_ttl_ms(const struct hub *hub)
{
	return hub->task_ttl_ms > 0 ? hub->task_ttl_ms : HUB_DEFAULT_TASK_TTL_MS;
}

/* Whether every site asked has answered t for good. */
static bool task_done(const struct beam_task *t)
{
	for (size_t i = 0; i < t->n_sites; i++)
		if (t->answers[i] != ANSWER_FINAL)
			return false;
	return true;
}

/* Frees the oldest task every site has answered, to make room. Returns
 * false when there is none. */
static bool evict_done(struct hub_beam *b)
{
	for (struct beam_task **pp = &b->tasks; *pp != NULL; pp = &(*pp)->next) {
		struct beam_task *t = *pp;

		if (task_done(t)) {
			*pp = t->next;
			task_free(t);
			b->n_tasks--;
			return true;
		}
	}
	return false;
}

/* Frees every task whose lifetime has ended. */
static void sweep(struct hub_beam *b, int64_t now_ms)
{
	struct beam_task **pp = &b->tasks;

	while (*pp != NULL) {
		struct beam_task *t = *pp;

		if (t->expires_ms <= now_ms) {
			*pp = t->next;
			task_free(t);
			b->n_tasks--;
		} else {
			pp = &t->next;
		}
	}
}

static struct beam_task *task_find(struct hub_beam *b, const char *id)
{
	for (struct beam_task *t = b->tasks; t != NULL; t = t->next) {
		if (strcasecmp(t->id, id) == 0)
			return t;
	}
	return NULL;
}

/* The index of site in t, or -1. */
static ssize_t task_site(const struct beam_task *t, const char *site)
{
	for (size_t i = 0; i < t->n_sites; i++) {
		if (strcmp(t->sites[i], site) == 0)
			return (ssize_t)i;
	}
	return -1;
}

/* Records in the store that site (a checked site name) was seen now. The
 * store keeps whole seconds, so a write in a second already written would
 * change nothing: it is skipped, as every poll and every result would
 * otherwise cost a write transaction. */
static void touch_site(struct hub *hub, const char *site)
{
	struct hub_beam *b = hub->beam;
	int64_t now = (int64_t)time(NULL);
	char err[512] = "";
	size_t i;

	for (i = 0; i < b->n_seen && strcmp(b->seen[i].site, site) != 0; i++)
		;
	if (i < b->n_seen && b->seen[i].at == now)
		return;
	if (hub_store_site_touch(hub->store, site, now, err, sizeof err) != 0) {
		log_warn("cannot record that %s was seen: %s", site, err);
		return;
	}
	if (i == b->n_seen) {
		b->seen = xreallocarray(b->seen, b->n_seen + 1, sizeof *b->seen);
		b->seen[b->n_seen++].site = xstrdup(site);
	}
	b->seen[i].at = now;
}

static void wake_key(struct hub *hub, const char *kind, const char *name)
{
	char key[HUB_NAME_MAX + UUID_TEXT_LEN + 16];

	snprintf(key, sizeof key, "%s:%s", kind, name);
	server_wake(hub->server, key);
}

/* 0 with *user (new) when the token is a user's; else resp is filled with
 * 401 (none, unknown) or 403 (a site's) and -1 returned. */
static int check_user(struct hub *hub, const struct server_request *req, char **user,
                      struct server_response *resp)
{
	return hub_check_user(hub, req, "search", user, NULL, resp);
}

/* Parses a non-negative decimal (an "s" suffix allowed when secs) into *v;
 * absent leaves *v. Returns 0, or -1 for anything else. */
static int parse_count(const char *text, bool secs, long long max, long long *v)
{
	char *end;
	long long n;

	if (text == NULL)
		return 0;
	if (text[0] < '0' || text[0] > '9')
		return -1;
	n = strtoll(text, &end, 10);
	if (secs && *end == 's')
		end++;
	if (*end != '\0' || n < 0)
		return -1;
	*v = n > max ? max : n;
	return 0;
}

/* The names of the registered sites, new, or NULL with err set. */
static json_t *site_names(struct hub *hub, char *err, size_t errlen)
{
	json_t *sites =
	    hub_store_site_list(hub->store, (int64_t)time(NULL), hub->heartbeat, err, errlen);
	json_t *names, *site;
	size_t i;

	if (sites == NULL)
		return NULL;
	names = json_array();
	json_array_foreach (sites, i, site)
		json_array_append(names, json_object_get(site, "name"));
	json_decref(sites);
	return names;
}

static bool names_have(json_t *names, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach (names, i, v) {
		if (strcmp(json_string_value(v), name) == 0)
			return true;
	}
	return false;
}

/* Fills t's sites from the request (NULL: every registered site), without
 * repeats. Returns 0, or -1 with resp filled. */
static int task_set_sites(struct hub *hub, struct beam_task *t, const struct beam_search *bs,
                          struct server_response *resp)
{
	char err[512] = "";
	json_t *names = site_names(hub, err, sizeof err);
	struct buf unknown = { 0 };
	size_t n;
	int rc = -1;

	if (names == NULL) {
		server_response_error(resp, 500, "cannot read the sites: %s", err);
		return -1;
	}
	n = bs->sites != NULL ? bs->n_sites : json_array_size(names);
	if (n == 0) {
		server_response_error(resp, 400, "No sites specified (none is registered)");
		goto out;
	}
	t->sites = xcalloc(n, sizeof *t->sites);
	for (size_t i = 0; i < n; i++) {
		const char *name =
		    bs->sites != NULL ? bs->sites[i] : json_string_value(json_array_get(names, i));

		if (!names_have(names, name)) {
			buf_printf(&unknown, "%s%s", unknown.len > 0 ? ", " : "", name);
			continue;
		}
		if (task_site(t, name) < 0)
			t->sites[t->n_sites++] = xstrdup(name);
	}
	if (unknown.len > 0) {
		server_response_error(resp, 400, "unknown sites: %s", buf_str(&unknown));
		goto out;
	}
	t->answers = xcalloc(t->n_sites, sizeof *t->answers);
	t->events = xcalloc(2 * t->n_sites, sizeof *t->events);
	t->finals = xcalloc(2 * t->n_sites, sizeof *t->finals);
	rc = 0;
out:
	buf_free(&unknown);
	json_decref(names);
	return rc;
}

static int audit_search(struct hub *hub, const struct beam_task *t, const struct query *q,
                        char *err, size_t errlen)
{
	char hash[65];
	json_t *sites = json_array();
	int rc;

	if (hub->vocab == NULL) {
		json_decref(sites);
		return 0;
	}
	query_hash(hub->vocab, q, hash);
	for (size_t i = 0; i < t->n_sites; i++)
		json_array_append_new(sites, json_string(t->sites[i]));
	rc = hub_store_audit_add(hub->store, t->user, t->created, hash, sites, err, errlen);
	json_decref(sites);
	return rc;
}

static void post_search(void *ctx, const struct server_request *req, struct server_response *resp)
{
	struct hub *hub = ctx;
	struct beam_search bs = { 0 };
	struct beam_task *t = NULL, **tail;
	char err[512] = "", *user = NULL;
	json_t *doc = NULL;
	int64_t now = server_now_ms();
	size_t max;

	if (check_user(hub, req, &user, resp) != 0)
		return;
	sweep(hub->beam, now);
	if (beam_search_read(req->body, req->body_len, &bs, err, sizeof err) != 0) {
		server_response_error(resp, 400, "%s", err);
		goto out;
	}
	if (task_find(hub->beam, bs.task_id) != NULL) {
		server_response_error(resp, 409, "task %s exists", bs.task_id);
		goto out;
	}
	max = hub->max_tasks > 0 ? hub->max_tasks : HUB_MAX_TASKS;
	while (hub->beam->n_tasks >= max && evict_done(hub->beam))
		;
	if (hub->beam->n_tasks >= max) {
		server_response_error(resp, 503, "too many searches running; try again later");
		goto out;
	}
	t = xcalloc(1, sizeof *t);
	snprintf(t->id, sizeof t->id, "%s", bs.task_id);
	t->user = user;
	user = NULL;
	t->created = (int64_t)time(NULL);
	t->expires_ms = now + task_ttl_ms(hub);
	if (task_set_sites(hub, t, &bs, resp) != 0)
		goto out;
	/* beam_search_read checked it: an object with a string "query" */
	doc = json_loadb(req->body, req->body_len, 0, NULL);
	t->query = xstrdup(json_string_value(json_object_get(doc, "query")));
	if (audit_search(hub, t, bs.query, err, sizeof err) != 0) {
		server_response_error(resp, 500, "cannot record the search: %s", err);
		goto out;
	}
	for (tail = &hub->beam->tasks; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = t;
	hub->beam->n_tasks++;
	for (size_t i = 0; i < t->n_sites; i++)
		wake_key(hub, "tasks", t->sites[i]);
	log_info("search %s by %s to %zu sites", t->id, t->user, t->n_sites);
	t = NULL;
	server_response_json(resp, 201, NULL);
out:
	if (t != NULL)
		task_free(t);
	json_decref(doc);
	beam_search_clear(&bs);
	free(user);
}

/* site's unanswered tasks as a new array of §4 task objects. */
static json_t *tasks_for(struct hub *hub, const char *site)
{
	json_t *list = json_array();
	char ttl[32];

	snprintf(ttl, sizeof ttl, "%" PRId64 "s", (task_ttl_ms(hub) + 999) / 1000);
	for (struct beam_task *t = hub->beam->tasks; t != NULL; t = t->next) {
		ssize_t i = task_site(t, site);
		json_t *to;

		if (i < 0 || t->answers[i] != ANSWER_NONE)
			continue;
		to = json_array();
		for (size_t j = 0; j < t->n_sites; j++)
			json_array_append_new(to, json_string(t->sites[j]));
		json_array_append_new(list,
		                      json_pack("{s:s, s:s, s:o, s:s, s:s}", "id", t->id, "from",
		                                "spot", "to", to, "body", t->query, "ttl", ttl));
	}
	return list;
}

static void get_tasks(void *ctx, const struct server_request *req, struct server_response *resp)
{
	struct hub *hub = ctx;
	const char *site = server_request_arg(req, "to");
	long long wait_count = 1, wait_time = 0;
	char key[HUB_NAME_MAX + 16];
	int64_t now = server_now_ms(), deadline;
	json_t *list;

	if (hub_check_site(hub, req, site, "use the task routes", resp) != 0)
		return;
	if (parse_count(server_request_arg(req, "wait_count"), false, 1000, &wait_count) != 0 ||
	    parse_count(server_request_arg(req, "wait_time"), true, BEAM_MAX_WAIT_S, &wait_time) !=
	        0) {
		server_response_error(resp, 400, "wait_count and wait_time must be whole numbers");
		return;
	}
	touch_site(hub, site);
	sweep(hub->beam, now);
	list = tasks_for(hub, site);
	deadline = req->since_ms + wait_time * 1000;
	if ((long long)json_array_size(list) >= wait_count || now >= deadline) {
		server_response_json(resp, 200, list);
		return;
	}
	json_decref(list);
	snprintf(key, sizeof key, "tasks:%s", site);
	server_response_wait(resp, key, deadline);
}

/* Reads a site's result body into *status and *text (new, or NULL for
 * none: for succeeded the payload's base64 as sent, once checked to be
 * base64 of UTF-8 text; for a failure the error). Returns 0, or -1 with
 * err set. */
static int read_result(const struct server_request *req, enum beam_status *status, char **text,
                       char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr), *body;
	unsigned char *payload = NULL;
	size_t len = 0, bad = 0;
	int rc = -1;

	*text = NULL;
	if (doc == NULL) {
		snprintf(err, errlen, "body is not JSON: %s", jerr.text);
		return -1;
	}
	if (!json_is_object(doc) ||
	    beam_status_from_name(json_string_value(json_object_get(doc, "status")), status) != 0) {
		snprintf(err, errlen,
		         "body needs a \"status\" of claimed, succeeded, tempfailed or "
		         "permfailed");
		goto out;
	}
	body = json_object_get(doc, "body");
	if (*status == BEAM_CLAIMED) {
		rc = 0;
	} else if (*status == BEAM_SUCCEEDED) {
		json_t *check;

		if (!json_is_string(body)) {
			snprintf(err, errlen, "a succeeded result needs a base64 \"body\"");
			goto out;
		}
		if (base64_decode(json_string_value(body), json_string_length(body), &payload, &len,
		                  &bad) != 0) {
			snprintf(err, errlen, "body: bad base64 at byte %zu", bad);
			goto out;
		}
		check = json_stringn((const char *)payload, len);
		if (check == NULL || memchr(payload, '\0', len) != NULL) {
			json_decref(check);
			snprintf(err, errlen, "body: the payload is not UTF-8 text");
			goto out;
		}
		json_decref(check);
		*text = xstrndup(json_string_value(body), json_string_length(body));
		rc = 0;
	} else if (body == NULL || json_is_null(body)) {
		rc = 0;
	} else if (json_is_string(body)) {
		*text = xstrdup(json_string_value(body));
		rc = 0;
	} else {
		snprintf(err, errlen, "a failed result's \"body\" must be a string");
	}
out:
	free(payload);
	json_decref(doc);
	return rc;
}

/* The event beam_result_build() makes for a succeeded result, made around
 * the base64 the site sent rather than from the decoded payload: the same
 * text byte for byte (base64_decode takes canonical base64 only, which
 * needs no JSON escaping, and "body" is the last member), without
 * encoding and dumping every payload again. NULL as beam_result_build(). */
static char *succeeded_event(const char *site, const char *task_id, const char *b64)
{
	static const char member[] = ",\"body\":\"";
	char *head = beam_result_build(site, NULL, task_id, BEAM_SUCCEEDED, NULL), *event, *p;
	size_t n, len = strlen(b64);

	if (head == NULL)
		return NULL;
	n = strlen(head) - 1; /* without the object's closing '}' */
	p = event = xmalloc(n + sizeof member - 1 + len + 3);
	memcpy(p, head, n);
	p += n;
	memcpy(p, member, sizeof member - 1);
	p += sizeof member - 1;
	memcpy(p, b64, len);
	p += len;
	memcpy(p, "\"}", 3);
	free(head);
	return event;
}

static void put_result(void *ctx, const struct server_request *req, struct server_response *resp)
{
	struct hub *hub = ctx;
	const char *site = req->param2;
	char err[512] = "", *text = NULL, *event;
	enum beam_status status;
	struct beam_task *t;
	enum answer was;
	ssize_t i;

	if (hub_check_site(hub, req, site, "use the task routes", resp) != 0)
		return;
	touch_site(hub, site);
	sweep(hub->beam, server_now_ms());
	t = task_find(hub->beam, req->param);
	if (t == NULL) {
		server_response_error(resp, 404, "no task %s", req->param);
		return;
	}
	i = task_site(t, site);
	if (i < 0) {
		server_response_error(resp, 403, "task %s did not ask %s", t->id, site);
		return;
	}
	if (read_result(req, &status, &text, err, sizeof err) != 0) {
		server_response_error(resp, 400, "%s", err);
		return;
	}
	was = t->answers[i];
	if (was == ANSWER_FINAL) {
		server_response_error(resp, 409, "%s has already answered task %s", site, t->id);
		goto out;
	}
	if (status == BEAM_CLAIMED && was == ANSWER_CLAIMED) {
		server_response_json(resp, 204, NULL);
		goto out;
	}
	event = status == BEAM_SUCCEEDED ? succeeded_event(site, t->id, text)
	                                 : beam_result_build(site, NULL, t->id, status, text);
	if (event == NULL) {
		server_response_error(resp, 400, "site name %s cannot be sent in a result", site);
		goto out;
	}
	t->finals[t->n_events] = status != BEAM_CLAIMED;
	t->events[t->n_events++] = event;
	t->answers[i] = status == BEAM_CLAIMED ? ANSWER_CLAIMED : ANSWER_FINAL;
	if (task_done(t) && t->expires_ms > server_now_ms() + BEAM_DONE_KEEP_MS)
		t->expires_ms = server_now_ms() + BEAM_DONE_KEEP_MS;
	wake_key(hub, "task", t->id);
	server_response_json(resp, was == ANSWER_NONE ? 201 : 204, NULL);
out:
	free(text);
}

static enum server_stream_status watch_next(void *cls, struct buf *out, int64_t now_ms,
                                            int64_t *deadline_ms)
{
	struct beam_watch *w = cls;
	struct beam_task *t;
	size_t before = out->len;

	sweep(w->hub->beam, now_ms);
	t = task_find(w->hub->beam, w->id);
	if (t == NULL) {
		sse_write_event(out, "wait_expired", "", 0);
		return SERVER_STREAM_END;
	}
	while (w->sent < t->n_events && w->finals < w->wait_count) {
		sse_write_event(out, "new_result", t->events[w->sent], strlen(t->events[w->sent]));
		w->finals += t->finals[w->sent];
		w->sent++;
	}
	if (w->finals >= w->wait_count)
		return SERVER_STREAM_END;
	if (out->len == before && now_ms - w->last_write_ms >= BEAM_KEEPALIVE_MS)
		sse_write_comment(out, NULL);
	if (out->len > before)
		w->last_write_ms = now_ms;
	*deadline_ms = w->last_write_ms + BEAM_KEEPALIVE_MS;
	if (t->expires_ms < *deadline_ms)
		*deadline_ms = t->expires_ms;
	return SERVER_STREAM_WAIT;
}

static void get_results(void *ctx, const struct server_request *req, struct server_response *resp)
{
	struct hub *hub = ctx;
	long long wait_count = -1;
	char *user = NULL, key[UUID_TEXT_LEN + 16];
	struct beam_task *t;
	struct beam_watch *w;

	if (check_user(hub, req, &user, resp) != 0)
		return;
	sweep(hub->beam, server_now_ms());
	t = task_find(hub->beam, req->param);
	if (t == NULL) {
		server_response_error(resp, 404, "no task %s", req->param);
	} else if (strcmp(t->user, user) != 0) {
		server_response_error(resp, 403, "task %s is another user's", t->id);
	} else if (parse_count(server_request_arg(req, "wait_count"), false, INT32_MAX,
	                       &wait_count) != 0 ||
	           wait_count == 0) {
		server_response_error(resp, 400, "wait_count must be a positive whole number");
	} else {
		w = xcalloc(1, sizeof *w);
		w->hub = hub;
		snprintf(w->id, sizeof w->id, "%s", t->id);
		w->wait_count = wait_count > 0 ? (size_t)wait_count : t->n_sites;
		w->last_write_ms = server_now_ms();
		snprintf(key, sizeof key, "task:%s", t->id);
		server_response_stream(resp, 200, "text/event-stream", key, watch_next, free, w);
	}
	free(user);
}

const struct server_route hub_beam_routes[] = {
	{ "POST", "/backend/beam", post_search },
	{ "GET", "/backend/beam/{id}", get_results },
	{ "GET", "/beam/v1/tasks", get_tasks },
	{ "PUT", "/beam/v1/tasks/{task}/results/{site}", put_result },
};
const size_t hub_beam_n_routes = sizeof hub_beam_routes / sizeof hub_beam_routes[0];
