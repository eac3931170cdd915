/* ecii count: a cohort's subjects and studies per site and collection,
 * with the privacy rule each site applied, optionally one stratifier. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/datadir.h"
#include "node/local.h"
#include "cli/table.h"
#include "core/payload.h"
#include "core/query_text.h"
#include "core/report.h"
#include "util/sanitize.h"
#include "util/xmalloc.h"

struct count_opts {
	const char *by;
	const char *sites;
	bool json;
	bool exact;
	const char *query;
};

/* One site's part of the answer. */
struct site_result {
	struct local_site *site;
	char *name;
	json_t *payload; /* NULL if the site failed */
	char *error;
	struct site_answer answer;
};

static int parse_opts(int argc, char **argv, struct count_opts *o)
{
	static const struct option options[] = {
		{ "by", required_argument, NULL, 'b' }, { "sites", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },     { "exact", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },     { NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof *o);
	while ((c = getopt_long(argc, argv, "hb:s:j", options, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->by = optarg;
			break;
		case 's':
			o->sites = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'e':
			o->exact = true;
			break;
		case 'h':
			cli_usage("count", stdout);
			return -2;
		default:
			cli_error(CLI_USAGE,
			          "count: unknown option '%s' (a query that starts with '-' goes "
			          "after '--')",
			          argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind != 1) {
		cli_error(CLI_USAGE, "count: %s",
		          argc - optind == 0 ? "no query given" : "give the query as one argument");
		cli_usage("count", stderr);
		return -1;
	}
	o->query = argv[optind];
	return 0;
}

/* Picks the sites named in list (comma-separated), or all of them. */
static struct site_result *select_sites(struct local_fed *fed, const char *list, size_t *n)
{
	struct site_result *res = xcalloc(fed->n_sites, sizeof *res);
	char *copy, *save = NULL;

	*n = 0;
	if (list == NULL) {
		for (size_t i = 0; i < fed->n_sites; i++)
			res[(*n)++].site = &fed->sites[i];
		return res;
	}
	copy = xstrdup(list);
	for (char *id = strtok_r(copy, ",", &save); id != NULL; id = strtok_r(NULL, ",", &save)) {
		struct local_site *s = local_site_find(fed, id);
		bool dup = false;

		if (s == NULL) {
			char *known = xstrdup("");

			for (size_t i = 0; i < fed->n_sites; i++) {
				char *next =
				    xasprintf("%s%s%s", known, i > 0 ? ", " : "", fed->sites[i].id);

				free(known);
				known = next;
			}
			cli_error(CLI_USAGE, "count: unknown site '%s' (sites: %s)", id, known);
			free(known);
			free(copy);
			free(res);
			return NULL;
		}
		for (size_t i = 0; i < *n; i++)
			dup = dup || res[i].site == s;
		if (!dup && *n < fed->n_sites)
			res[(*n)++].site = s;
	}
	free(copy);
	return res;
}

static void ask_sites(struct local_fed *fed, struct site_result *res, size_t n,
                      const struct query *q, bool exact)
{
	char err[512];

	for (size_t i = 0; i < n; i++) {
		struct site_result *r = &res[i];

		if (local_site_load(fed, r->site, err, sizeof err) != 0) {
			r->error = xstrdup(err);
			r->name = xstrdup(r->site->id);
			continue;
		}
		r->name = xstrdup(r->site->node->info.name);
		r->payload = node_site_answer(r->site->node, q, exact);
		if (payload_read(r->payload, &r->answer, err, sizeof err) != 0) {
			r->error = xasprintf("bad payload: %s", err);
			json_decref(r->payload);
			r->payload = NULL;
		}
	}
}

/* A reported count with its privacy mark (see report_mark). Returns buf. */
static const char *mark(const struct cli *cli, bool exact, uint64_t n, char *buf, size_t size)
{
	return report_mark(n, exact, cli->utf8, buf, size);
}

/* A collection's subject count: "<threshold" when the site hid it. */
static const char *mark_subjects(const struct cli *cli, const struct site_answer *a,
                                 const struct answer_collection *ac, char *buf, size_t size)
{
	return report_mark_subjects(a, ac, cli->utf8, buf, size);
}

static void print_legend(const struct cli *cli, struct site_result *res, size_t n)
{
	bool exact = false, noisy = false;
	struct privacy_rule rule = { 0, 0, 0 };

	for (size_t i = 0; i < n; i++) {
		if (res[i].payload == NULL)
			continue;
		if (res[i].answer.exact) {
			exact = true;
		} else if (res[i].answer.has_privacy) {
			noisy = true;
			rule = res[i].answer.privacy;
		}
	}
	if (noisy)
		printf("%s noisy count, rounded to %d (Laplace noise, epsilon %g); <%d fewer than "
		       "%d, hidden.\n",
		       cli->utf8 ? "\xe2\x89\x88" : "~", rule.rounding, rule.epsilon,
		       rule.threshold, rule.threshold);
	if (exact)
		printf("Exact counts, for the site operator only: do not pass them on.\n");
	printf("Totals add up the collections; a subject may be counted in more than one.\n");
}

static void print_table(const struct cli *cli, struct site_result *res, size_t n)
{
	static const char *headers[] = { "SITE", "COLLECTION", "NAME", "SUBJECTS", "STUDIES" };
	struct table *t = table_new(5, headers);
	uint64_t subjects = 0, studies = 0;
	bool all_exact = true;
	char a[48], b[48];

	table_align_right(t, 3);
	table_align_right(t, 4);
	for (size_t i = 0; i < n; i++) {
		struct site_result *r = &res[i];
		char *name = sanitize_text(r->name);

		if (r->payload == NULL) {
			char *msg = sanitize_text(r->error);
			const char *row[] = { r->site->id, "", msg, "failed", "" };

			table_add_row(t, row);
			free(msg);
			free(name);
			all_exact = false;
			continue;
		}
		for (size_t c = 0; c < r->answer.n_collections; c++) {
			struct answer_collection *ac = &r->answer.collections[c];
			char *cid = sanitize_text(ac->id), *cname = sanitize_text(ac->name);
			const char *row[] = {
				c == 0 ? r->site->id : "",
				cid,
				cname,
				mark_subjects(cli, &r->answer, ac, a, sizeof a),
				mark(cli, r->answer.exact, ac->studies, b, sizeof b),
			};

			table_add_row(t, row);
			free(cid);
			free(cname);
		}
		{
			char *label = xasprintf("%s, all", name);
			const char *row[] = {
				r->answer.n_collections == 0 ? r->site->id : "",
				"",
				label,
				mark(cli, r->answer.exact, r->answer.subjects, a, sizeof a),
				mark(cli, r->answer.exact, r->answer.studies, b, sizeof b),
			};

			table_add_row(t, row);
			free(label);
		}
		subjects += r->answer.subjects;
		studies += r->answer.studies;
		all_exact = all_exact && r->answer.exact;
		free(name);
	}
	table_add_rule(t);
	{
		const char *row[] = { "TOTAL", "", "", mark(cli, all_exact, subjects, a, sizeof a),
			              mark(cli, all_exact, studies, b, sizeof b) };

		table_add_row(t, row);
	}
	table_print(t, stdout, cli->width, 2, cli->utf8);
	table_free(&t);
}

static void print_stratifier(const struct cli *cli, const struct vocab_field *f,
                             struct site_result *res, size_t n)
{
	size_t cols = n + 2, cells = f->type == VOCAB_CATEGORICAL ? f->n_values : f->n_bins;
	const char **headers = xcalloc(cols, sizeof *headers);
	const char **row = xcalloc(cols, sizeof *row);
	char **bufs = xcalloc(cols, sizeof *bufs);
	struct table *t;

	headers[0] = f->label;
	for (size_t i = 0; i < n; i++)
		headers[i + 1] = res[i].site->id;
	headers[cols - 1] = "TOTAL";
	t = table_new(cols, headers);
	for (size_t c = 1; c < cols; c++) {
		table_align_right(t, c);
		bufs[c] = xmalloc(48);
	}
	for (size_t k = 0; k < cells; k++) {
		const char *code =
		    f->type == VOCAB_CATEGORICAL ? f->values[k].code : f->bins[k].label;
		bool exact = true;
		uint64_t sum = 0;

		row[0] = f->type == VOCAB_CATEGORICAL ? f->values[k].label : f->bins[k].label;
		for (size_t i = 0; i < n; i++) {
			const struct answer_stratum *st =
			    res[i].payload != NULL
			        ? site_answer_stratum(&res[i].answer, f->stratifier_key)
			        : NULL;
			uint64_t v = 0;

			for (size_t j = 0; st != NULL && j < st->n; j++)
				if (strcmp(st->codes[j], code) == 0)
					v = st->counts[j];
			sum += v;
			exact = exact && res[i].answer.exact;
			row[i + 1] = res[i].payload == NULL
			                 ? "failed"
			                 : mark(cli, res[i].answer.exact, v, bufs[i + 1], 48);
		}
		row[cols - 1] = mark(cli, exact, sum, bufs[cols - 1], 48);
		/* Bins nobody falls in are noise; every value of a list is shown. */
		if (sum > 0 || f->type == VOCAB_CATEGORICAL)
			table_add_row(t, row);
	}
	printf("\n%s (%s), counted with its own criteria left out:\n", f->label, f->alias);
	table_print(t, stdout, cli->width, 0, cli->utf8);
	printf("Cells need not add up to the total; a cell at the threshold may hide fewer.\n");
	table_free(&t);
	for (size_t c = 0; c < cols; c++)
		free(bufs[c]);
	free(bufs);
	free(row);
	free(headers);
}

static void print_json(struct local_fed *fed, const struct query *q, const char *text,
                       struct site_result *res, size_t n)
{
	struct report_site *sites = xcalloc(n > 0 ? n : 1, sizeof *sites);
	struct report r = { .vocab = fed->vocab,
		            .query = q,
		            .text = text,
		            .mode = "local",
		            .synthetic = fed->synthetic,
		            .sites = sites,
		            .n_sites = n };
	char *dump;

	for (size_t i = 0; i < n; i++) {
		sites[i].id = res[i].site->id;
		sites[i].name = res[i].name;
		sites[i].state = res[i].payload != NULL ? REPORT_ANSWERED : REPORT_FAILED;
		sites[i].payload = res[i].payload;
		sites[i].answer = &res[i].answer;
		sites[i].error = res[i].error;
	}
	dump = report_json_text(&r);
	fputs(dump, stdout);
	free(dump);
	free(sites);
}

int cli_count(struct cli *cli, int argc, char **argv)
{
	struct count_opts o;
	struct datadir dd = { 0 };
	struct local_fed *fed = NULL;
	struct site_result *res = NULL;
	const struct vocab_field *by = NULL;
	struct query *q = NULL;
	char err[512], *text = NULL, *canon = NULL;
	size_t n = 0;
	int rc, status = CLI_FAIL;

	rc = parse_opts(argc, argv, &o);
	if (rc != 0)
		return rc == -2 ? CLI_OK : CLI_USAGE;
	if (datadir_find(cli->data, &dd, err, sizeof err) != 0 ||
	    (fed = local_open(&dd, err, sizeof err)) == NULL) {
		cli_error(CLI_FAIL, "%s", err);
		goto out;
	}
	status = CLI_USAGE;
	if ((text = cli_read_arg(o.query)) == NULL ||
	    (q = cli_parse_query(fed->vocab, text)) == NULL)
		goto out;
	if (o.by != NULL && (by = vocab_field_find(fed->vocab, o.by)) == NULL) {
		const char *hint = vocab_suggest(fed->vocab, NULL, o.by);

		cli_error(CLI_USAGE, "count: unknown field '%s' for --by%s%s%s", o.by,
		          hint != NULL ? " (did you mean '" : "", hint != NULL ? hint : "",
		          hint != NULL ? "'?)" : "");
		goto out;
	}
	if ((res = select_sites(fed, o.sites, &n)) == NULL)
		goto out;
	ask_sites(fed, res, n, q, o.exact);
	canon = query_print_text(fed->vocab, q);
	if (o.json) {
		print_json(fed, q, canon, res, n);
	} else {
		char hash[65];

		query_hash(fed->vocab, q, hash);
		printf("Cohort: %s\nHash:   %s\n", canon, hash);
		if (fed->synthetic)
			printf("Synthetic demo data, counted locally.\n");
		if (o.exact)
			printf("EXACT COUNTS (--exact): for the site operator only.\n");
		putchar('\n');
		print_table(cli, res, n);
		print_legend(cli, res, n);
		if (by != NULL)
			print_stratifier(cli, by, res, n);
	}
	status = CLI_OK;
	for (size_t i = 0; i < n; i++)
		if (res[i].payload == NULL)
			status = CLI_FAIL;
out:
	for (size_t i = 0; res != NULL && i < n; i++) {
		json_decref(res[i].payload);
		site_answer_clear(&res[i].answer);
		free(res[i].name);
		free(res[i].error);
	}
	free(res);
	free(canon);
	free(text);
	query_free(&q);
	local_close(&fed);
	datadir_clear(&dd);
	return status;
}
