/* The hub session and the printing that `ecii request` and `ecii review`
 * share. */
#include "config.h"

#include "cli/cli_access.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalogue.h"
#include "core/query_json.h"
#include "core/query_text.h"
#include "util/sanitize.h"
#include "util/xmalloc.h"

int cli_session_open(struct cli *cli, const char *command, struct cli_session *s)
{
	int status;

	memset(s, 0, sizeof *s);
	s->fed = cli_open_federation(cli, &s->net, &status);
	if (s->fed == NULL)
		return status;
	if (s->fed->hub == NULL) {
		cli_session_close(s);
		return cli_error(CLI_USAGE,
		                 "%s: access requests go to a hub: give --hub URL or set ECII_HUB "
		                 "(./bootstrap federation runs one on this machine)",
		                 command);
	}
	if (s->fed->token == NULL) {
		char *hub = sanitize_text(s->fed->hub);

		status = cli_error(CLI_FAIL,
		                   "%s: not logged in to %s: run 'ecii login' or set ECII_TOKEN",
		                   command, hub);
		free(hub);
		cli_session_close(s);
		return status;
	}
	s->api = (struct hub_api){ s->net, s->fed->hub, s->fed->token };
	return CLI_OK;
}

void cli_session_close(struct cli_session *s)
{
	federation_close(&s->fed);
	http_multi_free(&s->net);
	free(s->user);
	memset(s, 0, sizeof *s);
}

int cli_call(struct cli_session *s, const char *command, const char *what, const char *method,
             const char *path, json_t *body, const char *idempotency_key, struct hub_reply *out)
{
	char *why;
	int status;

	if (hub_api_call(&s->api, method, path, body, idempotency_key, out) == 0)
		return CLI_OK;
	why = sanitize_text(out->error != NULL ? out->error : "no reply");
	status =
	    out->status == 400 || out->status == 403 || out->status == 404 ? CLI_USAGE : CLI_FAIL;
	cli_error(status, "%s: %s: %s", command, what, why);
	free(why);
	return status;
}

int cli_session_whoami(struct cli_session *s, const char *command)
{
	struct hub_reply r;
	json_t *roles, *role;
	size_t i;
	int status = cli_call(s, command, "who am I", "GET", "/api/v3/userinfo", NULL, NULL, &r);

	if (status != CLI_OK)
		return status;
	if (json_string_value(json_object_get(r.doc, "id")) == NULL) {
		hub_reply_clear(&r);
		return cli_error(CLI_FAIL, "%s: the hub's userinfo has no id", command);
	}
	s->user = xstrdup(json_string_value(json_object_get(r.doc, "id")));
	roles = json_object_get(r.doc, "roles");
	json_array_foreach (roles, i, role) {
		const char *name = json_string_value(role);

		s->admin = s->admin || (name != NULL && strcmp(name, "ADMIN") == 0);
		s->represents =
		    s->represents || (name != NULL && strcmp(name, "REPRESENTATIVE") == 0);
	}
	hub_reply_clear(&r);
	return CLI_OK;
}

struct access_form *cli_access_form(struct cli_session *s, const char *command,
                                    const char *request_id)
{
	char *id = hub_api_escape(request_id),
	     *path = xasprintf("/api/v3/requests/%s/access-form", id);
	struct access_form *form = NULL;
	struct hub_reply r;
	char err[512];

	if (cli_call(s, command, "the access form", "GET", path, NULL, NULL, &r) == CLI_OK) {
		form = access_form_read(r.doc, err, sizeof err);
		if (form == NULL) {
			char *why = sanitize_text(err);

			cli_error(CLI_FAIL, "%s: the hub's access form: %s", command, why);
			free(why);
		}
	}
	hub_reply_clear(&r);
	free(path);
	free(id);
	return form;
}

void cli_print_clean(FILE *out, const char *fmt, ...)
{
	va_list ap;
	int len;
	char *text, *clean;
	bool newline;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len <= 0)
		return;
	text = xmalloc((size_t)len + 1);
	va_start(ap, fmt);
	vsnprintf(text, (size_t)len + 1, fmt, ap);
	va_end(ap);
	newline = text[len - 1] == '\n';
	if (newline)
		text[len - 1] = '\0';
	clean = sanitize_text(text);
	fputs(clean, out);
	if (newline)
		fputc('\n', out);
	free(clean);
	free(text);
}

void cli_print_json(json_t *doc)
{
	char *dump = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (dump != NULL)
		puts(dump);
	free(dump);
}

/* The cohort of ast as text, new; NULL when it does not read. */
static char *cohort_text(const struct cli_session *s, json_t *ast)
{
	struct query_error qe;
	struct query *q = ast != NULL ? query_from_json(ast, &qe) : NULL;
	char *text;

	if (q == NULL)
		return NULL;
	query_canonicalize(s->fed->vocab, q);
	text = query_print_text(s->fed->vocab, q);
	query_free(&q);
	return text;
}

/* A choice's label, or the value itself when the form does not have it. */
static const char *choice_label(const struct access_form_element *el, const char *value)
{
	for (size_t i = 0; el != NULL && i < el->n_values; i++)
		if (strcmp(el->values[i].value, value) == 0)
			return el->values[i].label;
	return value;
}

/* An answer for people: choices by their labels, yes/no, lists joined. */
static void print_value(const struct access_form_element *el, json_t *v)
{
	size_t i;
	json_t *x;

	if (json_is_string(v)) {
		cli_print_clean(stdout, "%s", choice_label(el, json_string_value(v)));
	} else if (json_is_array(v)) {
		json_array_foreach (v, i, x) {
			if (i > 0)
				fputs(", ", stdout);
			print_value(el, x);
		}
	} else if (json_is_true(v) || json_is_false(v)) {
		fputs(json_is_true(v) ? "yes" : "no", stdout);
	} else {
		char *dump = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

		cli_print_clean(stdout, "%s", dump != NULL ? dump : "?");
		free(dump);
	}
}

void cli_print_answers(const struct access_form *form, json_t *payload)
{
	const char *sname;
	json_t *section;

	if (form == NULL) {
		cli_print_json(payload);
		return;
	}
	for (size_t i = 0; i < form->n_sections; i++) {
		const struct access_form_section *sec = &form->sections[i];

		cli_print_clean(stdout, "  %s\n", sec->label);
		for (size_t k = 0; k < sec->n_elements; k++) {
			const struct access_form_element *el = &sec->elements[k];
			json_t *v = json_object_get(json_object_get(payload, sec->name), el->name);

			if (el->type == ACCESS_FORM_INFORMATION)
				continue;
			cli_print_clean(stdout, "    %s: ", el->label);
			if (v == NULL || json_is_null(v))
				fputs("-", stdout);
			else
				print_value(el, v);
			putchar('\n');
		}
	}
	/* Answers to what the form does not have: shown, not hidden. */
	json_object_foreach (payload, sname, section)
		if (access_form_section(form, sname) == NULL)
			cli_print_clean(stdout, "  (not in the form: %s)\n", sname);
}

void cli_print_negotiation(const struct cli_session *s, const struct negotiation *n,
                           const struct access_form *form)
{
	enum negotiation_resource_state *rstates =
	    xcalloc(n->n_resources > 0 ? n->n_resources : 1, sizeof *rstates);
	char *text = cohort_text(s, n->query);

	for (size_t i = 0; i < n->n_resources; i++)
		rstates[i] = n->resources[i].state;
	cli_print_clean(stdout, "Request %s", n->display_id);
	cli_print_clean(stdout, " (%s)\n", n->id);
	cli_print_clean(stdout, "Title:    %s\n", n->human_readable);
	cli_print_clean(stdout, "Author:   %s\n", n->author.name);
	printf("State:    %s; next: %s\n", negotiation_state_words(n->status),
	       negotiation_who_words(negotiation_who_next(n->status, rstates, n->n_resources)));
	cli_print_clean(stdout, "Created:  %s", n->creation_date);
	cli_print_clean(stdout, ", changed %s\n", n->modified_date);
	if (text != NULL)
		cli_print_clean(stdout, "Cohort:   %s\n", text);
	if (n->cohort_hash != NULL)
		cli_print_clean(stdout, "Hash:     %s\n", n->cohort_hash);
	printf("Collections:\n");
	for (size_t i = 0; i < n->n_resources; i++) {
		const struct negotiation_resource *r = &n->resources[i];

		cli_print_clean(stdout, "  %-12s", r->id);
		cli_print_clean(stdout, " %s", r->name);
		if (r->has_org)
			cli_print_clean(stdout, " (%s)", r->org.name);
		printf(": %s\n", negotiation_resource_state_words(r->state));
	}
	if (form != NULL || json_object_size(n->payload) > 0) {
		printf("Answers:\n");
		cli_print_answers(form, n->payload);
	}
	free(text);
	free(rstates);
}

void cli_print_timeline(const struct negotiation_entry *e, size_t n)
{
	printf("Timeline:\n");
	for (size_t i = 0; i < n; i++) {
		cli_print_clean(stdout, "  %s", e[i].time);
		cli_print_clean(stdout, "  %s", e[i].actor);
		if (e[i].kind == NEGOTIATION_ENTRY_TRANSITION) {
			cli_print_clean(stdout, "  %s", e[i].event);
			if (e[i].resource != NULL)
				cli_print_clean(stdout, " on %s", e[i].resource);
			cli_print_clean(stdout, ": %s", e[i].from);
			cli_print_clean(stdout, " -> %s", e[i].to);
		} else {
			printf("  %s post",
			       e[i].post_type == NEGOTIATION_POST_PRIVATE ? "private" : "public");
		}
		if (e[i].message != NULL)
			cli_print_clean(stdout, ": %s", e[i].message);
		putchar('\n');
	}
	if (n == 0)
		printf("  (empty)\n");
}

void cli_print_posts(const struct negotiation_post *p, size_t n)
{
	printf("Posts:\n");
	for (size_t i = 0; i < n; i++) {
		cli_print_clean(stdout, "  %s", p[i].creation_date);
		cli_print_clean(stdout, "  %s", p[i].author.name);
		printf(" (%s): ", p[i].type == NEGOTIATION_POST_PRIVATE ? "private" : "public");
		cli_print_clean(stdout, "%s\n", p[i].text);
	}
	if (n == 0)
		printf("  (none)\n");
}

const char *cli_json_str(json_t *doc, const char *name)
{
	const char *s = json_string_value(json_object_get(doc, name));

	return s != NULL ? s : "";
}

/* Appends the negotiations of the HAL page doc to *all (n of them),
 * leaving out any already there; sets *page. Returns CLI status. */
static int take_page(const char *command, json_t *doc, struct negotiation **all, size_t *n,
                     struct negotiation_page *page)
{
	struct negotiation *list = NULL;
	size_t k = 0;
	char err[512];

	if (negotiation_list_read(doc, &list, &k, page, err, sizeof err) != 0) {
		cli_print_clean(stderr, "ecii: %s: the hub's list: %s\n", command, err);
		return CLI_FAIL;
	}
	for (size_t i = 0; i < k; i++) {
		bool dup = false;

		for (size_t j = 0; j < *n; j++)
			dup = dup || strcmp((*all)[j].id, list[i].id) == 0;
		if (dup) {
			negotiation_clear(&list[i]);
			continue;
		}
		*all = xreallocarray(*all, *n + 1, sizeof **all);
		(*all)[(*n)++] = list[i];
	}
	free(list);
	return CLI_OK;
}

int cli_list_all(struct cli_session *s, const char *command, const char *what, const char *path,
                 struct negotiation **all, size_t *n, json_t *pages)
{
	struct negotiation_page page = { 0 };
	int status = CLI_OK;

	for (int64_t number = 0; status == CLI_OK && (number == 0 || number < page.total_pages);
	     number++) {
		char *paged = xasprintf("%s%spage=%lld&size=100", path,
		                        strchr(path, '?') ? "&" : "?", (long long)number);
		struct hub_reply r;

		status = cli_call(s, command, what, "GET", paged, NULL, NULL, &r);
		if (status == CLI_OK)
			status = take_page(command, r.doc, all, n, &page);
		if (status == CLI_OK && pages != NULL)
			json_array_append(pages, r.doc);
		hub_reply_clear(&r);
		free(paged);
	}
	return status;
}

int cli_access_take_json(struct cli *cli, int argc, char **argv)
{
	int kept = 0;

	for (int i = 0; i < argc; i++) {
		if (i > 0 && strcmp(argv[i], "--json") == 0)
			cli->json = true;
		else
			argv[kept++] = argv[i];
	}
	argv[kept] = NULL;
	return kept;
}

/* ---- posts and lifecycle events ---- */

int cli_access_post(struct cli *cli, const char *command, int argc, char **argv)
{
	bool is_private = false;
	const char *id = NULL, *text = NULL;
	struct cli_session s = { 0 };
	struct hub_reply r = { 0 };
	json_t *body;
	char *eid, *path;
	int status;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--private") == 0)
			is_private = true;
		else if (id == NULL)
			id = argv[i];
		else if (text == NULL)
			text = argv[i];
		else
			return cli_error(CLI_USAGE, "%s post: give ID TEXT [--private]", command);
	}
	if (text == NULL || text[0] == '\0')
		return cli_error(CLI_USAGE, "%s post: give ID TEXT [--private]", command);
	if ((status = cli_session_open(cli, command, &s)) != CLI_OK)
		return status;
	eid = hub_api_escape(id);
	path = xasprintf("/api/v3/negotiations/%s/posts", eid);
	body = json_pack("{s:s, s:s}", "text", text, "type", is_private ? "PRIVATE" : "PUBLIC");
	status = cli_call(&s, command, "the post", "POST", path, body, NULL, &r);
	if (status == CLI_OK && cli->json)
		cli_print_json(r.doc);
	else if (status == CLI_OK)
		printf("Posted (%s).\n", is_private ? "private" : "public");
	hub_reply_clear(&r);
	json_decref(body);
	free(path);
	free(eid);
	cli_session_close(&s);
	return status;
}

int cli_access_event(struct cli *cli, const char *command, const char *id, const char *resource,
                     const char *event, const char *message)
{
	struct cli_session s = { 0 };
	struct hub_reply r = { 0 };
	json_t *body = message != NULL ? json_pack("{s:s}", "message", message) : NULL;
	char *eid = hub_api_escape(id), *ev = hub_api_escape(event), *path;
	int status;

	if (resource != NULL) {
		char *rid = hub_api_escape(resource);

		path = xasprintf("/api/v3/negotiations/%s/resources/%s/lifecycle/%s", eid, rid, ev);
		free(rid);
	} else {
		path = xasprintf("/api/v3/negotiations/%s/lifecycle/%s", eid, ev);
	}
	if ((status = cli_session_open(cli, command, &s)) == CLI_OK) {
		status = cli_call(&s, command, event, "PUT", path, body, NULL, &r);
		if (status == CLI_OK && cli->json) {
			cli_print_json(r.doc);
		} else if (status == CLI_OK) {
			const char *state = cli_json_str(r.doc, "status");

			if (state[0] == '\0')
				state = cli_json_str(r.doc, "currentState");
			cli_print_clean(stdout, "Done: %s", event);
			if (state[0] != '\0')
				cli_print_clean(stdout, "; now %s", state);
			putchar('\n');
		}
	}
	hub_reply_clear(&r);
	json_decref(body);
	free(path);
	free(ev);
	free(eid);
	cli_session_close(&s);
	return status;
}

/* The optional --message TEXT after the positional arguments. */
int cli_access_message(int argc, char **argv, int first, const char **message)
{
	*message = NULL;
	for (int i = first; i < argc; i++) {
		if (strcmp(argv[i], "--message") == 0 && i + 1 < argc)
			*message = argv[++i];
		else
			return -1;
	}
	return 0;
}
