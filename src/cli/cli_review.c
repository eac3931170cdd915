/* ecii review: the data access committee's and the representatives' side
 * of access requests: the queue (oldest first), one request with its form
 * answers, the exact cohort and what it counts now, the author's recent
 * queries and the posts; approve or decline it; move a collection's state;
 * post to the author. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli_access.h"
#include "client/counts.h"
#include "core/query_json.h"
#include "util/sanitize.h"
#include "util/xmalloc.h"

#define CMD "review"

static int by_creation(const void *a, const void *b)
{
	const struct negotiation *x = a, *y = b;
	int c = strcmp(x->creation_date, y->creation_date);

	return c != 0 ? c : strcmp(x->id, y->id);
}

static int review_list(struct cli *cli, int argc, char **argv)
{
	bool json = cli->json;
	struct cli_session s = { 0 };
	struct negotiation *all = NULL;
	json_t *docs = json_array();
	size_t n = 0;
	int status;

	if (argc > 1)
		return cli_error(CLI_USAGE, CMD " list: takes only --json");
	if ((status = cli_session_open(cli, CMD " list", &s)) != CLI_OK ||
	    (status = cli_session_whoami(&s, CMD " list")) != CLI_OK)
		goto out;
	if (!s.admin && !s.represents) {
		status = cli_error(CLI_USAGE, CMD " list: you are not on the committee nor a "
		                                  "representative of a collection");
		goto out;
	}
	if (s.admin && (status = cli_list_all(&s, CMD " list", "the queue",
	                                      "/api/v3/negotiations?status=SUBMITTED", &all, &n,
	                                      docs)) != CLI_OK)
		goto out;
	if (s.represents) {
		char *user = hub_api_escape(s.user),
		     *path = xasprintf("/api/v3/users/%s/negotiations?role=REPRESENTATIVE", user);

		status = cli_list_all(&s, CMD " list", "your collections' requests", path, &all, &n,
		                      docs);
		free(path);
		free(user);
		if (status != CLI_OK)
			goto out;
	}
	if (json) {
		cli_print_json(docs);
		goto out;
	}
	qsort(all, n, sizeof *all, by_creation);
	for (size_t i = 0; i < n; i++) {
		const struct negotiation *ng = &all[i];
		enum negotiation_resource_state *rs = xcalloc(ng->n_resources + 1, sizeof *rs);

		for (size_t k = 0; k < ng->n_resources; k++)
			rs[k] = ng->resources[k].state;
		cli_print_clean(stdout, "%s", ng->id);
		cli_print_clean(stdout, "  %s", ng->creation_date);
		cli_print_clean(stdout, "  %s", ng->author.name);
		printf(
		    "  %s (next: %s)  ", negotiation_state_words(ng->status),
		    negotiation_who_words(negotiation_who_next(ng->status, rs, ng->n_resources)));
		cli_print_clean(stdout, "%s\n", ng->human_readable);
		free(rs);
	}
	if (n == 0)
		printf("Nothing to review.\n");
out:
	negotiation_list_free(&all, n);
	json_decref(docs);
	cli_session_close(&s);
	return status;
}

/* The counts the author saw (the request's "counts" extension, from the
 * raw DTO) next to the cohort counted now with the reviewer's token. */
static void print_counts_now(struct cli_session *s, const struct negotiation *n, json_t *dto)
{
	json_t *then = json_object_get(dto, "counts");
	struct query_error qe;
	struct query *q = n->query != NULL ? query_from_json(n->query, &qe) : NULL;
	struct counts *cn;

	if (json_is_object(then))
		cli_print_clean(stdout, "Counts seen: about %lld subjects, %lld studies (%s)\n",
		                (long long)json_integer_value(json_object_get(then, "subjects")),
		                (long long)json_integer_value(json_object_get(then, "studies")),
		                cli_json_str(then, "when"));
	else
		printf("Counts seen: none sent with the request\n");
	if (q == NULL) {
		printf("Counts now: the cohort does not read against this hub's vocabulary\n");
		return;
	}
	cn = counts_new(s->fed, s->net, 0, NULL, 0);
	counts_request(cn, q, 1);
	printf("Counts now: about %llu subjects, %llu studies (%zu of %zu sites answered)\n",
	       (unsigned long long)counts_subjects(cn, NULL),
	       (unsigned long long)counts_studies(cn), counts_answered(cn), cn->n_sites);
	counts_free(&cn);
	query_free(&q);
}

/* The author's recent queries ({"author","cohortHash","queries":[{"user",
 * "time","cohortHash","sites","matchesRequest"}]}), newest first. */
static void print_author_queries(json_t *doc)
{
	json_t *queries = json_object_get(doc, "queries"), *e;
	size_t i;

	cli_print_clean(stdout, "Recent queries by %s:\n", cli_json_str(doc, "author"));
	json_array_foreach (queries, i, e) {
		json_t *sites = json_object_get(e, "sites"), *site;
		size_t k;

		cli_print_clean(stdout, "  %s  %.16s", cli_json_str(e, "time"),
		                cli_json_str(e, "cohortHash"));
		fputs(json_is_true(json_object_get(e, "matchesRequest")) ? " (this cohort)  "
		                                                         : "  ",
		      stdout);
		json_array_foreach (sites, k, site)
			cli_print_clean(stdout, "%s%s", k > 0 ? "," : "",
			                json_is_string(site) ? json_string_value(site) : "?");
		putchar('\n');
	}
	if (json_array_size(queries) == 0)
		printf("  (none kept)\n");
}

static int review_show(struct cli *cli, int argc, char **argv)
{
	bool json = cli->json;
	struct cli_session s = { 0 };
	struct negotiation ng = { 0 };
	struct negotiation_entry *timeline = NULL;
	struct negotiation_post *posts = NULL;
	struct access_form *form = NULL;
	size_t n_timeline = 0, n_posts = 0;
	const char *parts[] = { "", "/timeline", "/posts", "/author-queries" };
	const char *what[] = { "the request", "its timeline", "its posts", "the author's queries" };
	json_t *docs[4] = { NULL, NULL, NULL, NULL };
	char err[512], *id;
	int status;

	if (argc != 2)
		return cli_error(CLI_USAGE, CMD " show: give a request id [--json]");
	if ((status = cli_session_open(cli, CMD " show", &s)) != CLI_OK)
		return status;
	id = hub_api_escape(argv[1]);
	for (size_t i = 0; i < 4 && status == CLI_OK; i++) {
		char *path = xasprintf("/api/v3/negotiations/%s%s", id, parts[i]);
		struct hub_reply r;

		status = cli_call(&s, CMD " show", what[i], "GET", path, NULL, NULL, &r);
		docs[i] = json_incref(r.doc);
		hub_reply_clear(&r);
		free(path);
	}
	if (status != CLI_OK)
		goto out;
	if (json) {
		json_t *all = json_pack("{s:O, s:O, s:O, s:O}", "negotiation", docs[0], "timeline",
		                        docs[1], "posts", docs[2], "authorQueries", docs[3]);

		cli_print_json(all);
		json_decref(all);
		goto out;
	}
	if (negotiation_read(docs[0], &ng, err, sizeof err) != 0 ||
	    negotiation_timeline_read(docs[1], &timeline, &n_timeline, err, sizeof err) != 0 ||
	    negotiation_posts_read(docs[2], &posts, &n_posts, err, sizeof err) != 0) {
		char *why = sanitize_text(err);

		status = cli_error(CLI_FAIL, CMD " show: the hub's answer: %s", why);
		free(why);
		goto out;
	}
	if (ng.request_id != NULL)
		form = cli_access_form(&s, CMD " show", ng.request_id);
	cli_print_negotiation(&s, &ng, form);
	print_counts_now(&s, &ng, docs[0]);
	print_author_queries(docs[3]);
	cli_print_timeline(timeline, n_timeline);
	cli_print_posts(posts, n_posts);
out:
	for (size_t i = 0; i < 4; i++)
		json_decref(docs[i]);
	negotiation_clear(&ng);
	negotiation_timeline_free(&timeline, n_timeline);
	negotiation_posts_free(&posts, n_posts);
	access_form_free(&form);
	free(id);
	cli_session_close(&s);
	return status;
}

int cli_review(struct cli *cli, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL, *message;

	if (sub == NULL || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		cli_usage("review", sub == NULL ? stderr : stdout);
		return sub == NULL ? CLI_USAGE : CLI_OK;
	}
	argc = cli_access_take_json(cli, argc - 1, argv + 1);
	argv++;
	if (strcmp(sub, "list") == 0)
		return review_list(cli, argc, argv);
	if (strcmp(sub, "show") == 0)
		return review_show(cli, argc, argv);
	if (strcmp(sub, "post") == 0)
		return cli_access_post(cli, CMD, argc, argv);
	if (strcmp(sub, "approve") == 0 || strcmp(sub, "decline") == 0) {
		if (argc < 2 || cli_access_message(argc, argv, 2, &message) != 0)
			return cli_error(CLI_USAGE, CMD " %s: give ID [--message TEXT]", sub);
		return cli_access_event(cli, CMD, argv[1], NULL,
		                        sub[0] == 'a' ? "APPROVE" : "DECLINE", message);
	}
	if (strcmp(sub, "resource") == 0) {
		if (argc < 4 || cli_access_message(argc, argv, 4, &message) != 0)
			return cli_error(CLI_USAGE, CMD
			                 " resource: give ID COLLECTION EVENT [--message TEXT]");
		return cli_access_event(cli, CMD, argv[1], argv[2], argv[3], message);
	}
	return cli_error(CLI_USAGE, CMD ": unknown subcommand '%s' (try 'ecii help review')", sub);
}
