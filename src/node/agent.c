/* ecii-node's loop: publish, long-poll, answer; back off when the hub is
 * away. Every outcome of a hub call is one of four: done, gone (the task
 * is no longer there: skip it), retry (the hub is down or failing: wait
 * and try again) or fatal (it refused us: retrying cannot help). */
#include "config.h"

#include "node/agent.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/beam.h"
#include "core/query.h"
#include "net/http_client.h"
#include "store/hub_store.h"
#include "store/site_store.h"
#include "util/hash.h"
#include "util/base64.h"
#include "util/log.h"
#include "util/rng.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#define SLEEP_SLICE_MS 50 /* how long a backoff sleep leaves the stop flag unread */
#define CALL_MS        30000

enum outcome {
	OUTCOME_DONE,
	OUTCOME_GONE,
	OUTCOME_RETRY,
	OUTCOME_FATAL,
};

struct agent {
	struct node_site *site;
	const struct node_agent_config *cfg;
	struct http_client *http;
	struct rng rng;
	long backoff_ms;  /* the next retry's base delay */
	bool failing;     /* the last hub call failed: say so when one works again */
	double answer_ms; /* recent answers' time (a moving average); < 0: none yet */
	char err[512];    /* why the last call did not work */
};

static bool agent_stopped(const struct agent *a)
{
	return a->cfg->stop != NULL && atomic_load(a->cfg->stop);
}

/* Sleeps ms, waking early when the stop flag is set. */
static void agent_sleep(const struct agent *a, long ms)
{
	while (ms > 0 && !agent_stopped(a)) {
		long slice = ms < SLEEP_SLICE_MS ? ms : SLEEP_SLICE_MS;
		struct timespec ts = { slice / 1000, (slice % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		ms -= slice;
	}
}

/* After a failed call (a->err says why): logs it and waits the backoff,
 * between half and all of the current delay, which then doubles. */
static void agent_back_off(struct agent *a)
{
	long max = a->cfg->backoff_max_ms > 0 ? a->cfg->backoff_max_ms : NODE_AGENT_BACKOFF_MAX;
	long delay = a->backoff_ms / 2 + (long)rng_below(&a->rng, (uint64_t)a->backoff_ms / 2 + 1);

	log_warn("hub %s: %s; retrying in %.1f s", http_client_base(a->http), a->err,
	         (double)delay / 1000.0);
	a->failing = true;
	agent_sleep(a, delay);
	a->backoff_ms = a->backoff_ms * 2 > max ? max : a->backoff_ms * 2;
}

static void agent_succeeded(struct agent *a)
{
	if (a->failing)
		log_info("hub %s: reachable again", http_client_base(a->http));
	a->failing = false;
	a->backoff_ms = a->cfg->backoff_ms > 0 ? a->cfg->backoff_ms : NODE_AGENT_BACKOFF_MS;
}

/* One call; 2xx is done and *reply is kept when reply is not NULL. */
static enum outcome agent_call(struct agent *a, const char *method, const char *path,
                               const char *body, long timeout_ms, struct http_reply *reply)
{
	struct http_reply r;
	char msg[300];
	enum outcome o;

	if (http_client_request(a->http, method, path, body, timeout_ms, 0, &r, a->err,
	                        sizeof a->err) != 0)
		return OUTCOME_RETRY;
	if (r.status >= 200 && r.status < 300) {
		if (reply != NULL)
			*reply = r;
		else
			http_reply_clear(&r);
		return OUTCOME_DONE;
	}
	http_reply_message(&r, msg, sizeof msg);
	snprintf(a->err, sizeof a->err, "%s %s: %ld %s", method, path, r.status, msg);
	if (r.status == 401 || r.status == 403)
		o = OUTCOME_FATAL;
	else if (r.status == 404 || r.status == 409)
		o = OUTCOME_GONE;
	else if (r.status >= 500 || r.status == 408 || r.status == 429)
		o = OUTCOME_RETRY;
	else
		o = OUTCOME_FATAL;
	http_reply_clear(&r);
	return o;
}

/* What publishing the previews came to. */
struct preview_counts {
	size_t sent, unchanged, failed;
};

/* Uploads preview p unless the hub holds the same bytes: a HEAD with
 * If-None-Match "<sha256>" first (a GET's headers without its body), 304
 * meaning the hub has them. Returns retry when the hub cannot be reached,
 * else done, counting the preview in *n. */
static enum outcome agent_put_preview(struct agent *a, const struct site_preview *p,
                                      struct preview_counts *n)
{
	char sha[2 * HASH_SHA256_LEN + 1], etag[2 * HASH_SHA256_LEN + 3], msg[300];
	char *path = xasprintf("/api/catalogue/previews/%s", p->id);
	struct http_send send = { .if_none_match = etag };
	struct http_reply r;
	enum outcome o = OUTCOME_DONE;
	long status;

	hash_sha256_hex(p->len > 0 ? p->bytes : (const unsigned char *)"", p->len, sha);
	snprintf(etag, sizeof etag, "\"%s\"", sha);
	if (http_client_send(a->http, "HEAD", path, &send, CALL_MS, 0, &r, a->err, sizeof a->err) !=
	    0) {
		o = OUTCOME_RETRY;
		goto out;
	}
	status = r.status;
	http_reply_clear(&r);
	if (status == 304) {
		n->unchanged++;
		goto out;
	}
	free(path);
	path = xasprintf("/api/catalogue/sites/%s/previews/%s", a->site->info.id, p->id);
	send = (struct http_send){ .body = p->len > 0 ? (const void *)p->bytes : "",
		                   .body_len = p->len,
		                   .content_type = p->media_type };
	if (http_client_send(a->http, "PUT", path, &send, CALL_MS, 0, &r, a->err, sizeof a->err) !=
	    0) {
		o = OUTCOME_RETRY;
		goto out;
	}
	if (r.status == 204 || r.status == 200) {
		n->sent++;
	} else {
		http_reply_message(&r, msg, sizeof msg);
		log_warn("preview %s: PUT %s: %ld %s", p->id, path, r.status, msg);
		n->failed++;
		if (r.status >= 500)
			o = OUTCOME_RETRY;
	}
	http_reply_clear(&r);
out:
	free(path);
	return o;
}

/* Uploads the previews the published collections list, from the store.
 * A preview the hub refuses or the store lacks is logged and skipped;
 * only a hub that cannot be reached (or fails) makes it retry. */
static enum outcome agent_publish_previews(struct agent *a)
{
	struct preview_counts n = { 0 };
	struct site_store *store;
	json_t *item, *entry;
	size_t i, j;
	char err[512];
	enum outcome o = OUTCOME_DONE;

	store = site_store_open(a->site->path, false, err, sizeof err);
	if (store == NULL) {
		log_warn("previews of %s: %s", a->site->info.id, err);
		return OUTCOME_DONE;
	}
	json_array_foreach (a->site->items, i, item) {
		json_array_foreach (json_object_get(item, "previews"), j, entry) {
			const char *id = json_string_value(json_object_get(entry, "id"));
			struct site_preview p;
			int found;

			if (!hub_preview_id_valid(id)) {
				log_warn("collection %zu lists a preview without a valid id", i);
				n.failed++;
				continue;
			}
			found = site_store_read_preview(store, id, &p, err, sizeof err);
			if (found != 1 || !hub_preview_type_valid(p.media_type) ||
			    p.len > HUB_PREVIEW_MAX) {
				log_warn("preview %s: %s", id,
				         found < 0 ? err
				         : found == 0
				             ? "listed but not in the site store"
				             : "not application/dicom or image/png up to 8 MiB");
				n.failed++;
			} else {
				o = agent_put_preview(a, &p, &n);
			}
			site_preview_clear(&p);
			if (o != OUTCOME_DONE)
				goto out;
		}
	}
out:
	site_store_close(&store);
	log_info("previews of %s: %zu sent, %zu unchanged, %zu failed%s", a->site->info.id, n.sent,
	         n.unchanged, n.failed, o == OUTCOME_DONE ? "" : " (stopped: the hub is away)");
	return o;
}

static enum outcome agent_publish(struct agent *a)
{
	char *path = xasprintf("/api/catalogue/sites/%s/collections", a->site->info.id);
	char *body = json_dumps(a->site->items, JSON_COMPACT);
	enum outcome o = agent_call(a, "PUT", path, body, CALL_MS, NULL);

	if (o == OUTCOME_DONE) {
		log_info("published %zu collections of %s", json_array_size(a->site->items),
		         a->site->info.id);
		o = agent_publish_previews(a);
	}
	free(body);
	free(path);
	return o == OUTCOME_GONE ? OUTCOME_FATAL : o;
}

/* PUTs task id's result, again while the hub is away (unless once). */
static enum outcome agent_put_result(struct agent *a, const char *id, enum beam_status status,
                                     const char *body)
{
	char *path = xasprintf("/beam/v1/tasks/%s/results/%s", id, a->site->info.id);
	json_t *doc = json_pack("{s:s}", "status", beam_status_name(status));
	char *text;
	enum outcome o;

	if (body != NULL)
		json_object_set_new(doc, "body", json_string(body));
	text = json_dumps(doc, JSON_COMPACT);
	for (;;) {
		o = agent_call(a, "PUT", path, text, CALL_MS, NULL);
		if (o != OUTCOME_RETRY || a->cfg->once || agent_stopped(a))
			break;
		agent_back_off(a);
	}
	if (o == OUTCOME_DONE)
		agent_succeeded(a);
	else if (o == OUTCOME_GONE)
		log_warn("task %s: %s", id, a->err);
	free(text);
	json_decref(doc);
	free(path);
	return o;
}

static double agent_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Whether to claim a task before counting it: when this site's answers
 * are slow enough for "working" to mean something to the researcher. */
static bool agent_claims(const struct agent *a)
{
	long limit = a->cfg->claim_ms != 0 ? a->cfg->claim_ms : NODE_AGENT_CLAIM_MS;

	return limit < 0 || a->answer_ms < 0 || a->answer_ms > (double)limit;
}

/* Claims and answers one task. Returns what stops the loop (retry only
 * when stopped or once), or done. */
static enum outcome agent_serve_task(struct agent *a, json_t *task)
{
	const char *id = json_string_value(json_object_get(task, "id"));
	json_t *body = json_object_get(task, "body");
	char qerr[512] = "", *text, *b64;
	struct query *q;
	json_t *payload;
	enum outcome o;
	double start_ms, elapsed;

	if (!uuid_is_valid(id)) {
		log_warn("a task without a valid id: skipped");
		return OUTCOME_DONE;
	}
	if (agent_claims(a)) {
		o = agent_put_result(a, id, BEAM_CLAIMED, NULL);
		if (o != OUTCOME_DONE)
			return o == OUTCOME_GONE ? OUTCOME_DONE : o;
	}
	start_ms = agent_now_ms();
	q = json_is_string(body) ? beam_query_read(json_string_value(body),
	                                           json_string_length(body), qerr, sizeof qerr)
	                         : NULL;
	if (q == NULL) {
		if (!json_is_string(body))
			snprintf(qerr, sizeof qerr, "task body: not a string");
		log_warn("task %s: bad query: %s", id, qerr);
		o = agent_put_result(a, id, BEAM_PERMFAILED, qerr);
		return o == OUTCOME_GONE ? OUTCOME_DONE : o;
	}
	payload = node_site_answer(a->site, q, false);
	elapsed = agent_now_ms() - start_ms;
	a->answer_ms = a->answer_ms < 0 ? elapsed : 0.75 * a->answer_ms + 0.25 * elapsed;
	text = json_dumps(payload, JSON_COMPACT);
	b64 = base64_encode(text, strlen(text));
	o = agent_put_result(a, id, BEAM_SUCCEEDED, b64);
	if (o == OUTCOME_DONE)
		log_info("task %s: answered", id);
	free(b64);
	free(text);
	json_decref(payload);
	query_free(&q);
	return o == OUTCOME_GONE ? OUTCOME_DONE : o;
}

/* One poll; *tasks (new) is the array the hub gave. */
static enum outcome agent_poll(struct agent *a, int wait_s, json_t **tasks)
{
	char *path =
	    xasprintf("/beam/v1/tasks?to=%s&wait_count=1&wait_time=%d", a->site->info.id, wait_s);
	struct http_reply r;
	json_error_t jerr;
	enum outcome o = agent_call(a, "GET", path, NULL, (long)(wait_s + 15) * 1000, &r);

	*tasks = NULL;
	if (o == OUTCOME_DONE) {
		*tasks = json_loadb(r.body.data != NULL ? r.body.data : "", r.body.len, 0, &jerr);
		if (!json_is_array(*tasks)) {
			snprintf(a->err, sizeof a->err, "the task list is not a JSON array");
			json_decref(*tasks);
			*tasks = NULL;
			o = OUTCOME_RETRY;
		}
		http_reply_clear(&r);
	}
	free(path);
	return o == OUTCOME_GONE ? OUTCOME_FATAL : o;
}

static bool name_ok(const char *s)
{
	if (s == NULL || s[0] == '\0' || strlen(s) > 64)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
	       strlen(s);
}

int node_agent_run(struct node_site *site, const struct node_agent_config *cfg, char *err,
                   size_t errlen)
{
	struct agent a = { .site = site, .cfg = cfg, .answer_ms = -1 };
	int wait_s = cfg->wait_time_s > 0 ? cfg->wait_time_s : NODE_AGENT_WAIT_S;
	bool published = false;
	struct timespec now;
	enum outcome o;
	int rc = -1;

	if (!name_ok(site->info.id)) {
		snprintf(err, errlen, "the store's site id is not a valid hub name");
		return -1;
	}
	a.http = http_client_new(cfg->hub_url, cfg->token, 0, cfg->stop, err, errlen);
	if (a.http == NULL)
		return -1;
	clock_gettime(CLOCK_REALTIME, &now);
	rng_seed(&a.rng, (uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 20) ^ (uint64_t)getpid());
	agent_succeeded(&a);
	if (cfg->once)
		wait_s = 0;
	log_info("serving %s for hub %s", site->info.id, http_client_base(a.http));
	while (!agent_stopped(&a)) {
		json_t *tasks, *task;
		size_t i;

		/* again after every outage: the hub may have lost them */
		o = published ? OUTCOME_DONE : agent_publish(&a);
		if (o == OUTCOME_DONE) {
			published = true;
			o = agent_poll(&a, wait_s, &tasks);
		}
		if (o == OUTCOME_FATAL || (o == OUTCOME_RETRY && cfg->once))
			goto failed;
		if (o == OUTCOME_RETRY) {
			if (agent_stopped(&a))
				break;
			published = false;
			agent_back_off(&a);
			continue;
		}
		agent_succeeded(&a);
		json_array_foreach (tasks, i, task) {
			o = agent_serve_task(&a, task);
			if (o != OUTCOME_DONE)
				break;
		}
		json_decref(tasks);
		if (o == OUTCOME_FATAL || (o == OUTCOME_RETRY && cfg->once))
			goto failed;
		if (cfg->once)
			break;
	}
	log_info("stopping");
	rc = 0;
	goto out;
failed:
	if (agent_stopped(&a) && o == OUTCOME_RETRY) {
		rc = 0;
		goto out;
	}
	snprintf(err, errlen, "%s", a.err);
	log_warn("%s", a.err);
out:
	http_client_free(&a.http);
	return rc;
}
