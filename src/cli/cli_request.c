/* ecii request: a researcher's access requests. A request starts as a
 * draft on the user's own machine (store/drafts.h: the cohort, the counts
 * seen, the collections, the form answers), saved on every change; submit
 * sends it once, with the draft's Idempotency-Key, so a submit whose reply
 * never came can be sent again without making a second negotiation. After
 * that the negotiation lives at the hub: list, show, post, abandon, and
 * accept or decline a collection's access conditions. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_access.h"
#include "client/counts.h"
#include "core/catalogue.h"
#include "core/query_json.h"
#include "core/query_text.h"
#include "store/drafts.h"
#include "util/sanitize.h"
#include "util/xmalloc.h"

#define CMD "request"

/* ---- drafts ---- */

/* The draft whose id starts with prefix (at least 4 characters, unique):
 * new, or NULL after saying why. */
static struct draft *find_draft(const char *prefix, bool quiet)
{
	struct draft_list l;
	struct draft *found = NULL;
	char err[512];
	size_t hits = 0, len = strlen(prefix);

	if (len < 4 || draft_list(&l, err, sizeof err) != 0) {
		if (!quiet)
			cli_error(CLI_USAGE, CMD ": no draft %s",
			          len < 4 ? "(give at least 4 characters of its id)" : err);
		return NULL;
	}
	for (size_t i = 0; i < l.n; i++)
		if (strncmp(l.items[i]->id, prefix, len) == 0 && hits++ == 0)
			found = l.items[i];
	if (hits == 1)
		found = draft_load(found->id, err, sizeof err);
	else
		found = NULL;
	if (found == NULL && !quiet) {
		char *clean = sanitize_text(prefix);

		cli_error(CLI_USAGE, CMD ": %s draft '%s' (see 'ecii request list')",
		          hits > 1 ? "more than one" : "no", clean);
		free(clean);
	}
	draft_list_clear(&l);
	return found;
}

static int save_draft(struct draft *d)
{
	char err[512];

	if (draft_save(d, err, sizeof err) != 0)
		return cli_error(CLI_FAIL, CMD ": cannot save the draft: %s", err);
	return CLI_OK;
}

/* value (command-line text) as the JSON answer el takes: new, or NULL
 * with err set. "" clears the answer (JSON null). */
static json_t *typed_value(const struct access_form_element *el, const char *value, char *err,
                           size_t errlen)
{
	char *end;
	double x;
	json_t *list;

	if (value[0] == '\0')
		return json_null();
	switch (el->type) {
	case ACCESS_FORM_NUMBER:
		x = strtod(value, &end);
		if (*end != '\0' || end == value) {
			snprintf(err, errlen, "not a number");
			return NULL;
		}
		return x == (double)(json_int_t)x ? json_integer((json_int_t)x) : json_real(x);
	case ACCESS_FORM_BOOLEAN:
		if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0)
			return json_true();
		if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0)
			return json_false();
		snprintf(err, errlen, "give yes or no");
		return NULL;
	case ACCESS_FORM_MULTIPLE_CHOICE:
		list = json_array();
		for (const char *p = value; *p != '\0';) {
			size_t n = strcspn(p, ",");

			json_array_append_new(list, json_stringn(p, n));
			p += n + (p[n] == ',');
		}
		return list;
	case ACCESS_FORM_INFORMATION:
		snprintf(err, errlen, "is information: it takes no answer");
		return NULL;
	default:
		return json_string(value);
	}
}

/* Applies "section.element=value" to d, typed by form. */
static int apply_set(struct draft *d, const struct access_form *form, const char *arg)
{
	const char *eq = strchr(arg, '='), *dot = strchr(arg, '.');
	const struct access_form_section *sec;
	const struct access_form_element *el = NULL;
	char *section, *element, err[128];
	json_t *v = NULL;
	int status = CLI_USAGE;

	if (eq == NULL || dot == NULL || dot > eq)
		return cli_error(CLI_USAGE, CMD ": --set takes SECTION.ELEMENT=VALUE, e.g. "
		                                "summary.title='Prostate MRI study'");
	section = xstrndup(arg, (size_t)(dot - arg));
	element = xstrndup(dot + 1, (size_t)(eq - dot - 1));
	sec = access_form_section(form, section);
	if (sec != NULL)
		el = access_form_element(sec, element);
	if (el == NULL) {
		char *clean = sanitize_text(arg);

		cli_error(CLI_USAGE,
		          CMD ": the form has no %.*s (see 'ecii request show' for the fields)",
		          (int)(eq - arg), clean);
		free(clean);
	} else if ((v = typed_value(el, eq + 1, err, sizeof err)) == NULL) {
		cli_error(CLI_USAGE, CMD ": %s.%s: %s", section, element, err);
	} else {
		draft_set_answer(d, section, element, json_is_null(v) ? NULL : v);
		status = CLI_OK;
	}
	json_decref(v);
	free(section);
	free(element);
	return status;
}

/* Prints what the form still needs before a submit; returns how many. */
static size_t print_missing(const struct access_form *form, json_t *payload, FILE *out)
{
	struct access_form_errors errs = { 0 };
	size_t n = access_form_validate(form, payload, ACCESS_FORM_CHECK_SUBMIT, &errs);

	for (size_t i = 0; i < errs.n; i++) {
		const struct access_form_error *e = &errs.items[i];
		const struct access_form_section *sec = access_form_section(form, e->section);
		const struct access_form_element *el =
		    sec != NULL ? access_form_element(sec, e->element) : NULL;

		cli_print_clean(out, "  %s.%s", e->section, e->element);
		if (el != NULL)
			cli_print_clean(out, " (%s)", el->label);
		cli_print_clean(out, ": %s", e->message);
		for (size_t k = 0; el != NULL && k < el->n_values; k++)
			cli_print_clean(out, "%s%s", k == 0 ? "; one of " : ", ",
			                el->values[k].value);
		if (el != NULL && el->type == ACCESS_FORM_MULTIPLE_CHOICE)
			fputs(" (a list: A,B)", out);
		if (el != NULL && el->type == ACCESS_FORM_BOOLEAN)
			fputs("; yes or no", out);
		if (el != NULL && el->type == ACCESS_FORM_DATE)
			fputs("; YYYY-MM-DD", out);
		fputc('\n', out);
	}
	access_form_errors_clear(&errs);
	return n;
}

/* The draft and what the form still needs, as JSON on stdout:
 * {"draft":<the draft as its file holds it>,"missing":[{"section",
 * "element","message"}]} (none listed without a form). */
static void print_draft_json(const struct draft *d, const struct access_form *form)
{
	struct access_form_errors errs = { 0 };
	char err[256];
	json_t *doc;

	if (form != NULL)
		access_form_validate(form, d->payload, ACCESS_FORM_CHECK_SUBMIT, &errs);
	doc = json_pack("{s:o, s:o}", "draft", draft_to_json(d, err, sizeof err), "missing",
	                access_form_errors_json(&errs));
	cli_print_json(doc);
	json_decref(doc);
	access_form_errors_clear(&errs);
}

/* ---- ecii request new ---- */

/* Adds the collection item (a catalogue entry) to d and to resources. */
static int choose(struct draft *d, json_t *resources, json_t *item)
{
	const char *id = catalogue_item_str(item, "id"), *name = catalogue_item_str(item, "name");
	const char *pid = catalogue_item_str2(item, "provider", "id");
	const char *pname = catalogue_item_str2(item, "provider", "name");
	char err[256];

	if (draft_add_collection(d, id, name != NULL ? name : "", pid != NULL ? pid : "",
	                         pname != NULL ? pname : "", err, sizeof err) != 0)
		return 0; /* already chosen */
	json_array_append_new(resources, json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "id", id,
	                                           "name", name != NULL ? name : "", "organization",
	                                           "id", pid != NULL ? pid : "", "externalId",
	                                           pid != NULL ? pid : "", "name",
	                                           pname != NULL ? pname : ""));
	return 1;
}

/* The collections: those listed, or every one with subjects in cn. */
static int pick_collections(struct cli_session *s, const char *list, const struct counts *cn,
                            struct draft *d, json_t *resources)
{
	if (list != NULL) {
		char *copy = xstrdup(list), *save = NULL;

		for (char *id = strtok_r(copy, ",", &save); id != NULL;
		     id = strtok_r(NULL, ",", &save)) {
			json_t *item = catalogue_find(s->fed->catalogue, id);

			if (item == NULL) {
				char *clean = sanitize_text(id);

				cli_error(CLI_USAGE,
				          CMD ": no collection '%s' (see 'ecii catalogue')", clean);
				free(clean);
				free(copy);
				return CLI_USAGE;
			}
			choose(d, resources, item);
		}
		free(copy);
		return CLI_OK;
	}
	for (size_t i = 0; i < cn->n_sites; i++) {
		const struct counts_site *cs = &cn->sites[i];

		for (size_t k = 0; cs->state == COUNTS_ANSWERED && k < cs->answer.n_collections;
		     k++) {
			json_t *item =
			    catalogue_find(s->fed->catalogue, cs->answer.collections[k].id);

			if (cs->answer.collections[k].subjects > 0 && item != NULL)
				choose(d, resources, item);
		}
	}
	if (json_array_size(resources) == 0)
		return cli_error(CLI_USAGE, CMD ": no collection has subjects for this cohort; "
		                                "name them with --collections A,B");
	return CLI_OK;
}

/* Records what the user saw: totals and each site. */
static void record_counts(struct draft *d, const struct counts *cn)
{
	char err[128];

	draft_set_counts(d, (int64_t)counts_subjects(cn, NULL), (int64_t)counts_studies(cn), NULL,
	                 err, sizeof err);
	for (size_t i = 0; i < cn->n_sites; i++) {
		const struct counts_site *cs = &cn->sites[i];
		bool ok = cs->state == COUNTS_ANSWERED;

		draft_add_site_count(d, cs->id, ok ? (int64_t)cs->answer.subjects : -1,
		                     ok ? (int64_t)cs->answer.studies : -1,
		                     ok                              ? "succeeded"
		                     : cs->state == COUNTS_TIMED_OUT ? "timed_out"
		                                                     : "failed",
		                     err, sizeof err);
	}
}

/* POST /api/v3/requests: the hand-over of the cohort and collections. */
static int post_request(struct cli_session *s, struct draft *d, json_t *resources)
{
	json_t *body = json_pack("{s:s, s:s, s:O, s:O, s:s}", "url", s->fed->hub, "humanReadable",
	                         d->cohort_text, "resources", resources, "query", d->cohort_ast,
	                         "cohortHash", d->cohort_hash);
	struct hub_reply r;
	int status;

	if (d->counts.present) {
		json_t *sites = json_array();

		for (size_t i = 0; i < d->counts.n_sites; i++) {
			const struct draft_site_count *c = &d->counts.sites[i];

			json_array_append_new(
			    sites, json_pack("{s:s, s:I, s:I, s:s}", "site", c->site, "subjects",
			                     (json_int_t)c->subjects, "studies",
			                     (json_int_t)c->studies, "status", c->status));
		}
		json_object_set_new(body, "counts",
		                    json_pack("{s:I, s:I, s:s, s:o}", "subjects",
		                              (json_int_t)d->counts.subjects, "studies",
		                              (json_int_t)d->counts.studies, "when", d->counts.when,
		                              "sites", sites));
	}
	status = cli_call(s, CMD " new", "the request", "POST", "/api/v3/requests", body, NULL, &r);

	if (status == CLI_OK) {
		const char *id = cli_json_str(r.doc, "id");

		if (id[0] == '\0')
			status = cli_error(CLI_FAIL, CMD " new: the hub's request has no id");
		else
			draft_set_request(d, id);
	}
	hub_reply_clear(&r);
	json_decref(body);
	return status;
}

static int request_new(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "collections", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *collections = NULL;
	char **sets = xcalloc((size_t)argc + 1, sizeof *sets), hash[65], err[512], *text = NULL,
	     *canon = NULL;
	size_t n_sets = 0;
	struct cli_session s = { 0 };
	struct query *q = NULL;
	struct counts *cn = NULL;
	struct draft *d = NULL;
	struct access_form *form = NULL;
	json_t *resources = json_array(), *ast = NULL;
	int c, status = CLI_USAGE;

	while ((c = getopt_long(argc, argv, "hc:s:", options, NULL)) != -1) {
		if (c == 'c') {
			collections = optarg;
		} else if (c == 's') {
			sets[n_sets++] = optarg;
		} else if (c == 'h') {
			cli_usage("request", stdout);
			status = CLI_OK;
			goto out;
		} else {
			cli_error(CLI_USAGE, CMD " new: unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (argc - optind != 1) {
		cli_error(CLI_USAGE, CMD " new: give the cohort as one query argument");
		goto out;
	}
	if ((status = cli_session_open(cli, CMD " new", &s)) != CLI_OK)
		goto out;
	status = CLI_USAGE;
	if ((text = cli_read_arg(argv[optind])) == NULL ||
	    (q = cli_parse_query(s.fed->vocab, text)) == NULL)
		goto out;
	/* The counts the user sees now travel with the request. */
	cn = counts_new(s.fed, s.net, 0, NULL, 0);
	counts_request(cn, q, 1);
	canon = query_print_text(s.fed->vocab, q);
	query_hash(s.fed->vocab, q, hash);
	ast = query_to_json(q);
	d = draft_new(s.fed->hub, canon, ast, hash, err, sizeof err);
	if (d == NULL) {
		status = cli_error(CLI_FAIL, CMD " new: %s", err);
		goto out;
	}
	record_counts(d, cn);
	if ((status = pick_collections(&s, collections, cn, d, resources)) != CLI_OK ||
	    (status = post_request(&s, d, resources)) != CLI_OK)
		goto out;
	if ((form = cli_access_form(&s, CMD " new", d->request_id)) == NULL) {
		status = CLI_FAIL;
		goto out;
	}
	for (size_t i = 0; i < n_sets; i++)
		if ((status = apply_set(d, form, sets[i])) != CLI_OK)
			goto out;
	if ((status = save_draft(d)) != CLI_OK)
		goto out;
	if (cli->json) {
		print_draft_json(d, form);
		status = CLI_OK;
		goto out;
	}
	printf("Draft %s saved: %s, %zu collection%s, about %lld subjects.\n", d->id, canon,
	       d->n_collections, d->n_collections == 1 ? "" : "s", (long long)d->counts.subjects);
	if (print_missing(form, d->payload, stdout) > 0)
		printf(
		    "Answer the fields above with 'ecii request set %.8s SECTION.ELEMENT=VALUE', "
		    "then 'ecii request submit %.8s'.\n",
		    d->id, d->id);
	else
		printf("Send it with 'ecii request submit %.8s'.\n", d->id);
	status = CLI_OK;
out:
	access_form_free(&form);
	draft_free(&d);
	counts_free(&cn);
	json_decref(ast);
	json_decref(resources);
	query_free(&q);
	free(canon);
	free(text);
	free(sets);
	cli_session_close(&s);
	return status;
}

/* ---- ecii request set / submit ---- */

static int request_set(struct cli *cli, int argc, char **argv)
{
	struct cli_session s = { 0 };
	struct draft *d = NULL;
	struct access_form *form = NULL;
	int status = CLI_USAGE;

	if (argc < 3)
		return cli_error(CLI_USAGE, CMD " set: give a draft and SECTION.ELEMENT=VALUE ...");
	if ((d = find_draft(argv[1], false)) == NULL)
		return CLI_USAGE;
	if (d->state != DRAFT_EDITING) {
		draft_free(&d);
		return cli_error(CLI_USAGE,
		                 CMD " set: the draft was submitted; it can no longer change");
	}
	if ((status = cli_session_open(cli, CMD " set", &s)) != CLI_OK)
		goto out;
	if ((form = cli_access_form(&s, CMD " set", d->request_id)) == NULL) {
		status = CLI_FAIL;
		goto out;
	}
	for (int i = 2; i < argc; i++)
		if ((status = apply_set(d, form, argv[i])) != CLI_OK)
			goto out;
	if ((status = save_draft(d)) != CLI_OK)
		goto out;
	if (cli->json)
		print_draft_json(d, form);
	else if (print_missing(form, d->payload, stdout) == 0)
		printf("Complete: send it with 'ecii request submit %.8s'.\n", d->id);
out:
	access_form_free(&form);
	draft_free(&d);
	cli_session_close(&s);
	return status;
}

/* Prints the hub's field errors of a refused submit ({"fields":[...]}). */
static void print_field_errors(json_t *doc)
{
	size_t i;
	json_t *e;

	json_array_foreach (json_object_get(doc, "fields"), i, e) {
		cli_print_clean(stderr, "  %s", cli_json_str(e, "section"));
		cli_print_clean(stderr, ".%s", cli_json_str(e, "element"));
		cli_print_clean(stderr, ": %s\n", cli_json_str(e, "message"));
	}
}

static int request_submit(struct cli *cli, int argc, char **argv)
{
	struct cli_session s = { 0 };
	struct draft *d = NULL;
	struct access_form *form = NULL;
	struct hub_reply r = { 0 };
	json_t *body = NULL;
	const char *id;
	char err[512];
	int status;

	if (argc != 2)
		return cli_error(CLI_USAGE, CMD " submit: give one draft");
	if ((d = find_draft(argv[1], false)) == NULL)
		return CLI_USAGE;
	if ((status = cli_session_open(cli, CMD " submit", &s)) != CLI_OK)
		goto out;
	if (d->state == DRAFT_SUBMITTED) {
		if (cli->json)
			print_draft_json(d, NULL);
		else
			cli_print_clean(stdout, "Already submitted as %s.\n", d->negotiation_id);
		goto out;
	}
	if ((form = cli_access_form(&s, CMD " submit", d->request_id)) == NULL) {
		status = CLI_FAIL;
		goto out;
	}
	if (d->state == DRAFT_EDITING && print_missing(form, d->payload, stderr) > 0) {
		status = cli_error(CLI_USAGE, CMD " submit: the form is not complete (above)");
		goto out;
	}
	/* On disk before anything leaves: a kill now finds SUBMITTING and
	 * sends again with the same key. */
	draft_submit_begin(d);
	if ((status = save_draft(d)) != CLI_OK)
		goto out;
	body = json_pack("{s:s, s:b, s:O}", "request", d->request_id, "draft", 0, "payload",
	                 d->payload);
	if (hub_api_call(&s.api, "POST", "/api/v3/negotiations", body, d->idempotency_key, &r) ==
	        0 &&
	    (id = cli_json_str(r.doc, "id"))[0] != '\0') {
		draft_submit_done(d, id);
		save_draft(d);
		if (cli->json) {
			cli_print_json(r.doc);
		} else {
			cli_print_clean(stdout, "Submitted: request %s",
			                cli_json_str(r.doc, "displayId"));
			cli_print_clean(stdout, " (%s); the committee reviews it next.\n", id);
		}
		if (draft_remove(d->id, err, sizeof err) != 0)
			cli_error(CLI_FAIL, CMD " submit: the draft stays: %s", err);
		status = CLI_OK;
	} else if (r.status >= 400 && r.status < 500) {
		char *why = sanitize_text(r.error);

		draft_submit_refused(d, r.error);
		save_draft(d);
		status = cli_error(CLI_USAGE, CMD " submit: the hub refused it: %s", why);
		print_field_errors(r.doc);
		free(why);
	} else {
		char *why = sanitize_text(r.error != NULL ? r.error : "no reply");

		/* It may have landed: stay SUBMITTING, same key next time. */
		draft_set_error(d, r.error != NULL ? r.error : "no reply");
		save_draft(d);
		status = cli_error(CLI_FAIL,
		                   CMD " submit: %s; it may or may not have arrived: run "
		                       "'ecii request submit %.8s' again (it cannot arrive twice)",
		                   why, d->id);
		free(why);
	}
out:
	hub_reply_clear(&r);
	json_decref(body);
	access_form_free(&form);
	draft_free(&d);
	cli_session_close(&s);
	return status;
}

/* ---- ecii request list / show ---- */

static void print_draft_line(const struct draft *d)
{
	cli_print_clean(stdout, "%.8s  draft", d->id);
	printf(" %-10s  ", d->state == DRAFT_EDITING      ? "(editing)"
	                   : d->state == DRAFT_SUBMITTING ? "(sending)"
	                                                  : "(sent)");
	cli_print_clean(stdout, "%s  ", d->updated);
	cli_print_clean(stdout, "%s\n", d->cohort_text);
}

static int request_list(struct cli *cli, int argc, char **argv)
{
	bool json = cli->json;
	struct cli_session s = { 0 };
	struct draft_list l = { 0 };
	struct negotiation *list = NULL;
	json_t *pages = json_array();
	size_t n = 0;
	char err[512], *user = NULL, *path = NULL;
	int status;

	if (argc > 1)
		return cli_error(CLI_USAGE, CMD " list: takes only --json");
	if (draft_list(&l, err, sizeof err) != 0)
		cli_error(CLI_FAIL, CMD " list: drafts: %s", err);
	if ((status = cli_session_open(cli, CMD " list", &s)) != CLI_OK ||
	    (status = cli_session_whoami(&s, CMD " list")) != CLI_OK)
		goto out;
	user = hub_api_escape(s.user);
	path = xasprintf("/api/v3/users/%s/negotiations?role=AUTHOR", user);
	if ((status = cli_list_all(&s, CMD " list", "your requests", path, &list, &n, pages)) !=
	    CLI_OK)
		goto out;
	if (json) {
		json_t *drafts = json_array(), *doc;

		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(drafts, draft_to_json(l.items[i], err, sizeof err));
		doc = json_pack("{s:o, s:O}", "drafts", drafts, "pages", pages);
		cli_print_json(doc);
		json_decref(doc);
		goto out;
	}
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(l.items[i]->hub, s.fed->hub) == 0)
			print_draft_line(l.items[i]);
	for (size_t i = 0; i < n; i++) {
		const struct negotiation *ng = &list[i];
		enum negotiation_resource_state *rs = xcalloc(ng->n_resources + 1, sizeof *rs);

		for (size_t k = 0; k < ng->n_resources; k++)
			rs[k] = ng->resources[k].state;
		cli_print_clean(stdout, "%s", ng->id);
		cli_print_clean(stdout, "  %s", ng->display_id);
		printf(
		    "  %s (next: %s)  ", negotiation_state_words(ng->status),
		    negotiation_who_words(negotiation_who_next(ng->status, rs, ng->n_resources)));
		cli_print_clean(stdout, "%s\n", ng->human_readable);
		free(rs);
	}
	if (l.n + n == 0)
		printf("No requests yet: 'ecii request new QUERY' starts one.\n");
	for (size_t i = 0; i < l.n_problems; i++)
		cli_print_clean(stderr, "ecii: " CMD " list: skipped %s\n", l.problems[i]);
out:
	negotiation_list_free(&list, n);
	json_decref(pages);
	free(path);
	free(user);
	draft_list_clear(&l);
	cli_session_close(&s);
	return status;
}

static void show_draft(const struct draft *d, const struct access_form *form)
{
	cli_print_clean(stdout, "Draft %s", d->id);
	printf(" (%s)\n", d->state == DRAFT_EDITING      ? "being edited"
	                  : d->state == DRAFT_SUBMITTING ? "sent, no reply yet: submit again"
	                                                 : "submitted");
	cli_print_clean(stdout, "Cohort:   %s\n", d->cohort_text);
	cli_print_clean(stdout, "Hash:     %s\n", d->cohort_hash);
	if (d->counts.present)
		printf("Counts seen: about %lld subjects, %lld studies (%s)\n",
		       (long long)d->counts.subjects, (long long)d->counts.studies, d->counts.when);
	printf("Collections:\n");
	for (size_t i = 0; i < d->n_collections; i++) {
		cli_print_clean(stdout, "  %-12s", d->collections[i].id);
		cli_print_clean(stdout, " %s", d->collections[i].name);
		cli_print_clean(stdout, " (%s)\n", d->collections[i].provider_name);
	}
	if (d->error != NULL)
		cli_print_clean(stdout, "Last error: %s\n", d->error);
	printf("Answers:\n");
	cli_print_answers(form, d->payload);
	if (form != NULL && d->state == DRAFT_EDITING) {
		printf("Still needed:\n");
		if (print_missing(form, d->payload, stdout) == 0)
			printf("  nothing: it can be submitted\n");
	}
}

/* GETs path into *doc (new); CLI status. */
static int get_json(struct cli_session *s, const char *what, const char *path, json_t **doc)
{
	struct hub_reply r;
	int status = cli_call(s, CMD " show", what, "GET", path, NULL, NULL, &r);

	*doc = status == CLI_OK ? json_incref(r.doc) : NULL;
	hub_reply_clear(&r);
	return status;
}

static int request_show(struct cli *cli, int argc, char **argv)
{
	bool json = cli->json;
	struct cli_session s = { 0 };
	struct draft *d = NULL;
	struct access_form *form = NULL;
	struct negotiation ng = { 0 };
	struct negotiation_entry *timeline = NULL;
	struct negotiation_post *posts = NULL;
	size_t n_timeline = 0, n_posts = 0;
	json_t *doc = NULL, *tdoc = NULL, *pdoc = NULL;
	char err[512], *id = NULL, *path = NULL;
	int status;

	if (argc != 2)
		return cli_error(CLI_USAGE, CMD " show: give a request or draft id [--json]");
	if ((status = cli_session_open(cli, CMD " show", &s)) != CLI_OK)
		return status;
	d = find_draft(argv[1], true);
	if (d != NULL) {
		if (json) {
			json_t *dj = draft_to_json(d, err, sizeof err);

			cli_print_json(dj);
			json_decref(dj);
		} else {
			form = d->request_id != NULL
			           ? cli_access_form(&s, CMD " show", d->request_id)
			           : NULL;
			show_draft(d, form);
		}
		goto out;
	}
	id = hub_api_escape(argv[1]);
	path = xasprintf("/api/v3/negotiations/%s", id);
	if ((status = get_json(&s, "the request", path, &doc)) != CLI_OK)
		goto out;
	free(path);
	path = xasprintf("/api/v3/negotiations/%s/timeline", id);
	if ((status = get_json(&s, "its timeline", path, &tdoc)) != CLI_OK)
		goto out;
	free(path);
	path = xasprintf("/api/v3/negotiations/%s/posts", id);
	if ((status = get_json(&s, "its posts", path, &pdoc)) != CLI_OK)
		goto out;
	if (json) {
		json_t *all = json_pack("{s:O, s:O, s:O}", "negotiation", doc, "timeline", tdoc,
		                        "posts", pdoc);

		cli_print_json(all);
		json_decref(all);
		goto out;
	}
	if (negotiation_read(doc, &ng, err, sizeof err) != 0 ||
	    negotiation_timeline_read(tdoc, &timeline, &n_timeline, err, sizeof err) != 0 ||
	    negotiation_posts_read(pdoc, &posts, &n_posts, err, sizeof err) != 0) {
		char *why = sanitize_text(err);

		status = cli_error(CLI_FAIL, CMD " show: the hub's answer: %s", why);
		free(why);
		goto out;
	}
	if (ng.request_id != NULL)
		form = cli_access_form(&s, CMD " show", ng.request_id);
	cli_print_negotiation(&s, &ng, form);
	cli_print_timeline(timeline, n_timeline);
	cli_print_posts(posts, n_posts);
out:
	negotiation_clear(&ng);
	negotiation_timeline_free(&timeline, n_timeline);
	negotiation_posts_free(&posts, n_posts);
	json_decref(doc);
	json_decref(tdoc);
	json_decref(pdoc);
	access_form_free(&form);
	draft_free(&d);
	free(path);
	free(id);
	cli_session_close(&s);
	return status;
}

int cli_request(struct cli *cli, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL, *message;

	if (sub == NULL || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		cli_usage("request", sub == NULL ? stderr : stdout);
		return sub == NULL ? CLI_USAGE : CLI_OK;
	}
	argc = cli_access_take_json(cli, argc - 1, argv + 1);
	argv++;
	optind = 0;
	if (strcmp(sub, "new") == 0)
		return request_new(cli, argc, argv);
	if (strcmp(sub, "set") == 0)
		return request_set(cli, argc, argv);
	if (strcmp(sub, "submit") == 0)
		return request_submit(cli, argc, argv);
	if (strcmp(sub, "list") == 0)
		return request_list(cli, argc, argv);
	if (strcmp(sub, "show") == 0)
		return request_show(cli, argc, argv);
	if (strcmp(sub, "post") == 0)
		return cli_access_post(cli, CMD, argc, argv);
	if (strcmp(sub, "abandon") == 0) {
		if (argc < 2 || cli_access_message(argc, argv, 2, &message) != 0)
			return cli_error(CLI_USAGE, CMD " abandon: give ID [--message TEXT]");
		return cli_access_event(cli, CMD " abandon", argv[1], NULL, "ABANDON", message);
	}
	if (strcmp(sub, "accept") == 0 || strcmp(sub, "decline") == 0) {
		if (argc < 3 || cli_access_message(argc, argv, 3, &message) != 0)
			return cli_error(CLI_USAGE, CMD " %s: give ID COLLECTION [--message TEXT]",
			                 sub);
		return cli_access_event(cli, CMD, argv[1], argv[2],
		                        sub[0] == 'a' ? "ACCEPT_ACCESS_CONDITIONS"
		                                      : "DECLINE_ACCESS_CONDITIONS",
		                        message);
	}
	return cli_error(CLI_USAGE, CMD ": unknown subcommand '%s' (try 'ecii help request')", sub);
}
