/* The Spot/Beam envelope: building and strictly reading the JSON that goes
 * between client, hub and sites. It must not do I/O or know about HTTP;
 * callers turn the one-line reasons into status codes and messages. */
#include "config.h"

#include "core/beam.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/query_json.h"
#include "util/base64.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

/* Outside text quoted in an error is cut to this many bytes. */
#define QUOTE_MAX 64

static const char *const status_names[] = {
	[BEAM_CLAIMED] = "claimed",
	[BEAM_SUCCEEDED] = "succeeded",
	[BEAM_TEMPFAILED] = "tempfailed",
	[BEAM_PERMFAILED] = "permfailed",
};

const char *beam_status_name(enum beam_status s)
{
	if ((size_t)s >= sizeof status_names / sizeof status_names[0])
		return "?";
	return status_names[s];
}

int beam_status_from_name(const char *name, enum beam_status *s)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++) {
		if (strcmp(name, status_names[i]) == 0) {
			*s = (enum beam_status)i;
			return 0;
		}
	}
	return -1;
}

/* Writes "where: message", or the message alone when where is "", as one
 * line: outside text quoted in it cannot break it. */
static void set_err(char *err, size_t errlen, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_err(char *err, size_t errlen, const char *where, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (err == NULL || errlen == 0)
		return;
	if (where[0] != '\0')
		n = snprintf(err, errlen, "%s: ", where);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	for (char *p = err; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
}

/* Returns j as new compact text from our allocator; numbers as the query
 * JSON writes them. */
static char *dump_compact(json_t *j)
{
	char *dumped = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15)), *text;

	if (dumped == NULL)
		fatal("beam: cannot write JSON");
	text = xstrdup(dumped);
	free(dumped);
	return text;
}

static json_t *load_object(const char *text, size_t len, const char *where, char *err,
                           size_t errlen)
{
	json_error_t jerr;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

	if (j == NULL) {
		set_err(err, errlen, where, "not JSON: %d:%d: %s", jerr.line, jerr.column,
		        jerr.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		set_err(err, errlen, where, "not a JSON object");
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Returns obj's string member name (borrowed), or NULL with err set. */
static const char *get_string(json_t *obj, const char *name, const char *where, char *err,
                              size_t errlen)
{
	json_t *m = json_object_get(obj, name);

	if (m == NULL) {
		set_err(err, errlen, where, "missing \"%s\"", name);
		return NULL;
	}
	if (!json_is_string(m)) {
		set_err(err, errlen, where, "\"%s\" is not a string", name);
		return NULL;
	}
	return json_string_value(m);
}

/* Decodes the base64 string member name of obj into new bytes (a NUL
 * after them). Errors about the member name where; a bad encoding names
 * the value's own place, value_where. */
static unsigned char *get_base64(json_t *obj, const char *name, const char *where,
                                 const char *value_where, size_t *out_len, char *err, size_t errlen)
{
	const char *text = get_string(obj, name, where, err, errlen);
	unsigned char *bytes;
	size_t off;

	if (text == NULL)
		return NULL;
	if (base64_decode(text, json_string_length(json_object_get(obj, name)), &bytes, out_len,
	                  &off) != 0) {
		set_err(err, errlen, value_where, "bad base64 at byte %zu", off);
		return NULL;
	}
	return bytes;
}

char *beam_query_build(const struct query *q, const char *id)
{
	json_t *inner, *outer;
	char *inner_text, *inner_b64, *outer_text, *outer_b64;

	inner = json_pack("{s:o, s:s%}", "ast", query_to_json(q), "id", id, strlen(id));
	if (inner == NULL)
		fatal("beam: cannot build the inner query (id not UTF-8?)");
	inner_text = dump_compact(inner);
	inner_b64 = base64_encode(inner_text, strlen(inner_text));
	outer = json_pack("{s:s, s:s}", "lang", "ast", "query", inner_b64);
	if (outer == NULL)
		fatal("beam: cannot build the outer query");
	outer_text = dump_compact(outer);
	outer_b64 = base64_encode(outer_text, strlen(outer_text));
	free(outer_text);
	json_decref(outer);
	free(inner_b64);
	free(inner_text);
	json_decref(inner);
	return outer_b64;
}

struct query *beam_query_read(const char *text, size_t len, char *err, size_t errlen)
{
	unsigned char *outer_bytes = NULL, *inner_bytes = NULL;
	json_t *outer = NULL, *inner = NULL, *ast;
	struct query *q = NULL;
	struct query_error qerr = { 0 };
	const char *lang;
	size_t n, off;

	if (text == NULL) {
		set_err(err, errlen, "query", "missing");
		return NULL;
	}
	if (len > BEAM_MAX_BODY) {
		set_err(err, errlen, "query", "too long (%zu bytes; at most %d)", len,
		        BEAM_MAX_BODY);
		return NULL;
	}
	if (base64_decode(text, len, &outer_bytes, &n, &off) != 0) {
		set_err(err, errlen, "query", "bad base64 at byte %zu", off);
		goto out;
	}
	outer = load_object((const char *)outer_bytes, n, "query", err, errlen);
	if (outer == NULL)
		goto out;
	lang = get_string(outer, "lang", "query", err, errlen);
	if (lang == NULL)
		goto out;
	if (strcmp(lang, "ast") != 0) {
		set_err(err, errlen, "query", "unknown lang \"%.*s\"", QUOTE_MAX, lang);
		goto out;
	}
	inner_bytes = get_base64(outer, "query", "query", "query.query", &n, err, errlen);
	if (inner_bytes == NULL)
		goto out;
	inner = load_object((const char *)inner_bytes, n, "query.query", err, errlen);
	if (inner == NULL)
		goto out;
	if (get_string(inner, "id", "query.query", err, errlen) == NULL)
		goto out;
	ast = json_object_get(inner, "ast");
	if (ast == NULL) {
		set_err(err, errlen, "query.query", "missing \"ast\"");
		goto out;
	}
	q = query_from_json(ast, &qerr);
	if (q == NULL)
		set_err(err, errlen, "query.query.ast", "%s", qerr.message);
out:
	json_decref(inner);
	free(inner_bytes);
	json_decref(outer);
	free(outer_bytes);
	return q;
}

char *beam_search_build(const char *task_id, char *const *sites, size_t n_sites,
                        const struct query *q)
{
	char *query = beam_query_build(q, task_id), *text;
	json_t *body = json_object();

	if (json_object_set_new(body, "id", json_string(task_id)) != 0)
		fatal("beam: task id is not UTF-8");
	if (sites != NULL) {
		json_t *list = json_array();

		for (size_t i = 0; i < n_sites; i++) {
			if (json_array_append_new(list, json_string(sites[i])) != 0)
				fatal("beam: site name is not UTF-8");
		}
		json_object_set_new(body, "sites", list);
	}
	json_object_set_new(body, "query", json_string(query));
	text = dump_compact(body);
	json_decref(body);
	free(query);
	return text;
}

static int read_sites(json_t *list, struct beam_search *s, char *err, size_t errlen)
{
	size_t i;
	json_t *site;

	if (list == NULL || json_is_null(list))
		return 0;
	if (!json_is_array(list)) {
		set_err(err, errlen, "", "\"sites\" is not an array");
		return -1;
	}
	if (json_array_size(list) == 0) {
		set_err(err, errlen, "", "No sites specified");
		return -1;
	}
	s->sites = xcalloc(json_array_size(list), sizeof *s->sites);
	json_array_foreach (list, i, site) {
		if (!json_is_string(site)) {
			set_err(err, errlen, "", "sites[%zu] is not a string", i);
			return -1;
		}
		if (json_string_length(site) == 0) {
			set_err(err, errlen, "", "sites[%zu] is empty", i);
			return -1;
		}
		s->sites[i] = xstrdup(json_string_value(site));
		s->n_sites = i + 1;
	}
	return 0;
}

int beam_search_read(const char *body, size_t len, struct beam_search *out, char *err,
                     size_t errlen)
{
	json_t *doc = NULL, *query;
	const char *id;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (body == NULL || len == 0) {
		set_err(err, errlen, "", "empty body");
		return -1;
	}
	if (len > BEAM_MAX_BODY) {
		set_err(err, errlen, "", "body too long (%zu bytes; at most %d)", len,
		        BEAM_MAX_BODY);
		return -1;
	}
	doc = load_object(body, len, "", err, errlen);
	if (doc == NULL)
		goto out;
	id = get_string(doc, "id", "", err, errlen);
	if (id == NULL)
		goto out;
	if (!uuid_is_valid(id)) {
		set_err(err, errlen, "", "\"id\" is not a UUID");
		goto out;
	}
	if (read_sites(json_object_get(doc, "sites"), out, err, errlen) != 0)
		goto out;
	if (get_string(doc, "query", "", err, errlen) == NULL)
		goto out;
	query = json_object_get(doc, "query");
	out->query =
	    beam_query_read(json_string_value(query), json_string_length(query), err, errlen);
	if (out->query == NULL)
		goto out;
	out->task_id = xstrdup(id);
	rc = 0;
out:
	json_decref(doc);
	if (rc != 0)
		beam_search_clear(out);
	return rc;
}

void beam_search_clear(struct beam_search *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_sites; i++)
		free(s->sites[i]);
	free(s->sites);
	free(s->task_id);
	query_free(&s->query);
	memset(s, 0, sizeof *s);
}

char *beam_result_build(const char *site, const char *broker, const char *task_id,
                        enum beam_status status, const char *body)
{
	json_t *ev;
	char *from, *text;

	if (site == NULL || site[0] == '\0' || strchr(site, '.') != NULL)
		return NULL;
	from = xasprintf("focus.%s.%s", site, broker != NULL ? broker : "broker.example");
	ev = json_pack("{s:s, s:[s], s:s, s:s, s:n}", "from", from, "to", "spot", "task", task_id,
	               "status", beam_status_name(status), "metadata");
	if (ev == NULL)
		fatal("beam: cannot build a result event (text not UTF-8?)");
	if (body != NULL && status == BEAM_SUCCEEDED) {
		char *b64 = base64_encode(body, strlen(body));

		json_object_set_new(ev, "body", json_string(b64));
		free(b64);
	} else if (body != NULL && status != BEAM_CLAIMED) {
		if (json_object_set_new(ev, "body", json_string(body)) != 0)
			fatal("beam: error text is not UTF-8");
	}
	text = dump_compact(ev);
	json_decref(ev);
	free(from);
	return text;
}

/* Copies the second dot-separated part of from, or returns NULL. */
static char *site_from(const char *from)
{
	const char *start = strchr(from, '.'), *end;

	if (start == NULL)
		return NULL;
	start++;
	end = strchr(start, '.');
	if (end == NULL)
		end = start + strlen(start);
	if (end == start)
		return NULL;
	return xstrndup(start, (size_t)(end - start));
}

int beam_result_read(const char *event, size_t len, struct beam_result *out, char *err,
                     size_t errlen)
{
	json_t *doc = NULL, *body;
	const char *from, *task, *status;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (event == NULL || len == 0) {
		set_err(err, errlen, "", "empty event");
		return -1;
	}
	if (len > BEAM_MAX_BODY) {
		set_err(err, errlen, "", "event too long (%zu bytes; at most %d)", len,
		        BEAM_MAX_BODY);
		return -1;
	}
	doc = load_object(event, len, "", err, errlen);
	if (doc == NULL)
		goto out;
	from = get_string(doc, "from", "", err, errlen);
	if (from == NULL)
		goto out;
	out->site = site_from(from);
	if (out->site == NULL) {
		set_err(err, errlen, "", "\"from\" names no site: \"%.*s\"", QUOTE_MAX, from);
		goto out;
	}
	task = get_string(doc, "task", "", err, errlen);
	if (task == NULL)
		goto out;
	status = get_string(doc, "status", "", err, errlen);
	if (status == NULL)
		goto out;
	if (beam_status_from_name(status, &out->status) != 0) {
		set_err(err, errlen, "", "unknown status \"%.*s\"", QUOTE_MAX, status);
		goto out;
	}
	body = json_object_get(doc, "body");
	if (out->status == BEAM_SUCCEEDED) {
		unsigned char *bytes =
		    get_base64(doc, "body", "", "body", &out->body_len, err, errlen);

		if (bytes == NULL)
			goto out;
		out->body = (char *)bytes;
	} else if (out->status != BEAM_CLAIMED && body != NULL && !json_is_null(body)) {
		if (!json_is_string(body)) {
			set_err(err, errlen, "", "\"body\" is not a string");
			goto out;
		}
		out->body_len = json_string_length(body);
		out->body = xstrndup(json_string_value(body), out->body_len);
	}
	out->task_id = xstrdup(task);
	rc = 0;
out:
	json_decref(doc);
	if (rc != 0)
		beam_result_clear(out);
	return rc;
}

void beam_result_clear(struct beam_result *r)
{
	if (r == NULL)
		return;
	free(r->site);
	free(r->task_id);
	free(r->body);
	memset(r, 0, sizeof *r);
}
